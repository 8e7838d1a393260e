import type {
    IAppAccessors,
    IConfigurationExtend,
    IConfigurationModify,
    IEnvironmentRead,
    IHttp,
    ILogger,
    IModify,
    IPersistence,
    IRead,
} from '@rocket.chat/apps-engine/definition/accessors';
import { ApiSecurity, ApiVisibility, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type {
    IUIKitInteractionHandler,
    IUIKitResponse,
    UIKitBlockInteractionContext,
    UIKitViewCloseInteractionContext,
    UIKitViewSubmitInteractionContext,
} from '@rocket.chat/apps-engine/definition/uikit';
import type {
    IPostUserCreated,
    IPostUserDeleted,
    IPostUserLoggedIn,
    IPostUserStatusChanged,
    IPostUserUpdated,
    IUser,
    IUserContext,
    IUserStatusContext,
} from '@rocket.chat/apps-engine/definition/users';

import { DirectoryChat } from './command/DirectoryChat';
import { Config, defaultConfig, toCaller } from './core/config';
import { ApiResponse, respond } from './core/errors';
import { ListContext, ListRequest, prepareValidators } from './core/handlers';
import { PersistenceStore } from './cluster/store';
import { DirectoryService, DirectoryUnavailable } from './DirectoryService';
import { createEndpoints } from './endpoints';
import { Seats } from './seats/Seats';
import { SeatsConfig, seatsConfigFromValues } from './seats/settings';
import { configFromValues, provideSettings, readSettingValues, SettingId } from './settings';

const JSON_HEADERS = { 'content-type': 'application/json' };
/** The periodic crawl: a scheduler job, so that it runs on one instance of a cluster. */
const REBUILD_JOB = 'directory-rebuild';

export default class UserDirectoryApp
    extends App
    implements IPostUserCreated, IPostUserUpdated, IPostUserDeleted, IPostUserStatusChanged, IPostUserLoggedIn, IUIKitInteractionHandler
{
    private config: Config = defaultConfig();
    private settingValues = new Map<string, unknown>();
    private readonly store: PersistenceStore;
    private readonly directory: DirectoryService;
    private readonly chat: DirectoryChat;
    private seatsConfig: SeatsConfig = seatsConfigFromValues(new Map());
    private readonly seats: Seats;

    constructor(info: IAppInfo, logger: ILogger, accessors?: IAppAccessors) {
        super(info, logger, accessors);
        this.store = new PersistenceStore(() => this.getAccessors().reader.getPersistenceReader());
        this.directory = new DirectoryService({
            reader: () => this.getAccessors().reader,
            store: this.store,
            maxAgeMs: () => this.config.directoryMaxAgeMs,
            onError: (error) => this.getLogger().error('User directory', error),
        });
        this.chat = new DirectoryChat({ appId: this.getID(), context: () => this.context(), logger: () => this.getLogger() });
        this.seats = new Seats({
            store: this.store,
            seats: () => this.seatsConfig,
            directory: () => this.directory.get(),
            publish: (user) => this.directory.upsert(user),
            instanceId: () => this.directory.instanceId,
            attach: (persis) => this.store.attach(persis),
            logger: () => this.getLogger(),
        });
    }

    protected async extendConfiguration(configuration: IConfigurationExtend): Promise<void> {
        await provideSettings(configuration);
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: createEndpoints(this, {
                answer: (request, handler, persis) => this.answer(request, handler, persis),
                buildFacts: () => ({ version: this.getVersion(), ...this.directory.info() }),
            }),
        });
        const users = this.chat.slashCommand();
        await configuration.slashCommands.provideSlashCommand({
            ...users,
            // `/users deactivate …` is the review of inactive users; anything else lists users.
            executor: async (context, read, modify, http, persis) => {
                const [first, ...rest] = context.getArguments();
                if (first?.toLowerCase() !== 'deactivate') {
                    return users.executor(context, read, modify, http, persis);
                }
                this.store.attach(persis);
                return this.seats.chat.command(rest, context.getSender(), context.getRoom(), read, modify);
            },
        });
        await configuration.scheduler.registerProcessors([
            {
                id: REBUILD_JOB,
                processor: async (_job, _read, _modify, _http, persis) => {
                    this.store.attach(persis);
                    await this.directory.rebuildIfDue();
                },
            },
            ...this.seats.processors(),
        ]);
    }

    public async onEnable(environment: IEnvironmentRead, configurationModify: IConfigurationModify): Promise<boolean> {
        this.settingValues = await readSettingValues(environment.getSettings());
        this.config = configFromValues(this.settingValues);
        this.seatsConfig = seatsConfigFromValues(this.settingValues);
        prepareValidators();
        await this.scheduleRebuilds(configurationModify);
        await this.seats.schedule(configurationModify.scheduler);
        this.directory.start();
        return true;
    }

    public async onDisable(): Promise<void> {
        this.directory.stop();
    }

    public async onSettingUpdated(setting: ISetting, configurationModify: IConfigurationModify): Promise<void> {
        this.settingValues.set(setting.id, setting.value ?? setting.packageValue);
        this.config = configFromValues(this.settingValues);
        this.seatsConfig = seatsConfigFromValues(this.settingValues);
        if (setting.id === SettingId.directoryMaxAgeMinutes) {
            await this.scheduleRebuilds(configurationModify);
        }
        if (Seats.reschedulesOn(setting.id)) {
            await this.seats.schedule(configurationModify.scheduler);
        }
    }

    /** One recurring job for the whole cluster: every instance schedules the same id, which the scheduler keeps once. */
    private async scheduleRebuilds(configurationModify: IConfigurationModify): Promise<void> {
        await configurationModify.scheduler.scheduleRecurring({
            id: REBUILD_JOB,
            interval: `${this.config.directoryMaxAgeMs / 1000} seconds`,
            skipImmediate: false,
        });
    }

    /** The directory and settings to answer from (the first call waits for the first build). */
    private async context(): Promise<ListContext> {
        return { directory: await this.directory.get(), config: this.config };
    }

    /** Answers an endpoint request from the core. */
    public async answer(
        request: IApiRequest,
        handler: (request: ListRequest, context: ListContext) => ApiResponse,
        persis: IPersistence,
    ): Promise<IApiResponse> {
        const onUnexpected = (error: unknown) => this.getLogger().error('Request failed', error);
        this.store.attach(persis);
        let response: ApiResponse;
        try {
            const context = await this.context();
            if (request.user) {
                this.directory.meet(request.user);
            }
            const listRequest: ListRequest = { caller: request.user && toCaller(request.user), query: request.query ?? {}, params: request.params ?? {} };
            response = respond(() => handler(listRequest, context), onUnexpected);
        } catch (error) {
            if (!(error instanceof DirectoryUnavailable)) {
                onUnexpected(error);
            }
            const retryAfter = error instanceof DirectoryUnavailable ? error.retryAfterSeconds : 30;
            return {
                status: 503,
                headers: { ...JSON_HEADERS, 'retry-after': String(retryAfter) },
                content: {
                    success: false,
                    error: 'The user directory is not available yet; try again shortly [error-directory-unavailable]',
                    errorType: 'error-directory-unavailable',
                },
            };
        }
        return { status: response.status, headers: JSON_HEADERS, content: response.content };
    }

    public async executePostUserCreated(context: IUserContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.store.attach(persis);
        this.directory.upsert(context.user);
    }

    /**
     * The engine calls this name for IPostUserUpdated (the typings name the
     * created one). Rocket.Chat fires it before it applies a change of `active`,
     * so the user is read again once that is done.
     */
    public async executePostUserUpdated(context: IUserContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.store.attach(persis);
        this.directory.upsert(context.user);
        this.directory.confirmLater(context.user.id);
    }

    public async executePostUserDeleted(context: IUserContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.store.attach(persis);
        this.directory.remove(context.user.id);
    }

    public async executePostUserStatusChanged(context: IUserStatusContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.store.attach(persis);
        await this.directory.setPresence(context.user, context.currentStatus);
    }

    public async executePostUserLoggedIn(user: IUser, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.store.attach(persis);
        this.directory.upsert(user);
    }

    public executeBlockActionHandler(
        context: UIKitBlockInteractionContext,
        read: IRead,
        _http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<IUIKitResponse> {
        if (Seats.owns(context.getInteractionData().actionId)) {
            this.store.attach(persistence);
            return this.seats.chat.blockAction(context, read);
        }
        return this.chat.handleBlockAction(context, read, modify);
    }

    public async executeViewSubmitHandler(
        context: UIKitViewSubmitInteractionContext,
        read: IRead,
        _http: IHttp,
        persistence: IPersistence,
        modify: IModify,
    ): Promise<IUIKitResponse> {
        if (Seats.owns(context.getInteractionData().view.id)) {
            this.store.attach(persistence);
            return this.seats.chat.viewSubmit(context, read, modify);
        }
        return context.getInteractionResponder().successResponse();
    }

    public async executeViewClosedHandler(context: UIKitViewCloseInteractionContext): Promise<IUIKitResponse> {
        this.chat.forget(context.getInteractionData().user.id);
        return context.getInteractionResponder().successResponse();
    }
}
