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
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import type { IAppInstallationContext, IAppUpdateContext } from '@rocket.chat/apps-engine/definition/accessors';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { IPostRoomUserJoined, IPostRoomUserLeave, IRoomUserJoinedContext, IRoomUserLeaveContext } from '@rocket.chat/apps-engine/definition/rooms';
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
import { Config, defaultConfig } from './core/config';
import { ListContext, prepareValidators } from './core/handlers';
import { PersistenceStore } from './cluster/store';
import { DirectoryService } from './DirectoryService';
import { createEndpoints } from './endpoints';
import { reactivationConfigFromValues } from './seats/reactivate';
import { Seats } from './seats/Seats';
import { SeatsConfig, seatsConfigFromValues } from './seats/settings';
import { configFromValues, provideSettings, readSettingValues, SettingId } from './settings';

/** The periodic upkeep (the cheap pass, or the safety net when due): a scheduler job, so that it runs on one instance of a cluster. */
const REBUILD_JOB = 'directory-rebuild';

export default class UserDirectoryApp
    extends App
    implements
        IPostUserCreated,
        IPostUserUpdated,
        IPostUserDeleted,
        IPostUserStatusChanged,
        IPostUserLoggedIn,
        IPostRoomUserJoined,
        IPostRoomUserLeave,
        IUIKitInteractionHandler
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
            fullRereadMs: () => this.config.fullRereadMs,
            maxRoomMembers: () => this.config.maxRoomMembers,
            onError: (error) => this.getLogger().error('User directory', error),
        });
        const reactivation = {
            config: () => reactivationConfigFromValues(this.settingValues),
            publish: (user: IUser, persis: IPersistence) => this.directoryFor(persis).upsert(user),
        };
        this.seats = new Seats({
            appId: this.getID(),
            store: this.store,
            seats: () => this.seatsConfig,
            directory: () => this.directory.get(),
            publish: (user) => this.directory.upsert(user),
            instanceId: () => this.directory.instanceId,
            attach: (persis) => this.store.attach(persis),
            logger: () => this.getLogger(),
            reactivation,
        });
        this.chat = new DirectoryChat({
            appId: this.getID(),
            context: (persis) => this.context(persis),
            logger: () => this.getLogger(),
            directoryChangedAt: () => this.directory.lastChangedAt(),
            reactivation,
            deactivation: this.seats.chatEntry(),
        });
    }

    protected async extendConfiguration(configuration: IConfigurationExtend): Promise<void> {
        await provideSettings(configuration);
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: createEndpoints(this, {
                // GET requests never write to persistence: they get no writer.
                context: () => this.readContext(),
                meet: (user) => this.directory.meet(user),
                facts: () => ({ version: this.getVersion(), ...this.directory.info() }),
                directoryChangedAt: () => this.directory.lastChangedAt(),
                logger: () => this.getLogger(),
            }),
        });
        await configuration.slashCommands.provideSlashCommand(this.chat.slashCommand());
        await configuration.scheduler.registerProcessors([
            {
                id: REBUILD_JOB,
                processor: async (_job, _read, _modify, _http, persis) => {
                    await this.directoryFor(persis).rebuildIfDue();
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

    /**
     * Installing or updating hands the app a writer: with it the first build
     * (or a load) can start at once, without waiting for the job's first run
     * or an event; GET requests never bring one.
     */
    public async onInstall(_context: IAppInstallationContext, _read: IRead, _http: IHttp, persistence: IPersistence): Promise<void> {
        this.directoryFor(persistence);
    }

    public async onUpdate(_context: IAppUpdateContext, _read: IRead, _http: IHttp, persistence: IPersistence): Promise<void> {
        this.directoryFor(persistence);
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

    /**
     * The directory, for a handler the engine called with this persistence
     * writer. The engine hands a writer to handlers only (an endpoint, an
     * event, a job, a command or a click), so every one of them reaches the
     * directory through here, and the shared store always has one to write with.
     */
    private directoryFor(persis: IPersistence): DirectoryService {
        this.store.attach(persis);
        this.directory.mayWrite();
        return this.directory;
    }

    /** The directory and settings to answer from (the first call waits for the first build). */
    private async context(persis: IPersistence): Promise<ListContext> {
        return { directory: await this.directoryFor(persis).get(), config: this.config };
    }

    /** The same for a GET request, which must not write to persistence. */
    private async readContext(): Promise<ListContext> {
        return { directory: await this.directory.get(), config: this.config };
    }

    public async executePostUserCreated(context: IUserContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.directoryFor(persis).upsert(context.user);
    }

    /**
     * The engine calls this name for IPostUserUpdated (the typings name the
     * created one). Rocket.Chat fires it before it applies a change of `active`,
     * so the user is read again once that is done.
     */
    public async executePostUserUpdated(context: IUserContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        const directory = this.directoryFor(persis);
        directory.upsert(context.user);
        directory.confirmLater(context.user.id);
    }

    public async executePostUserDeleted(context: IUserContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.directoryFor(persis).remove(context.user.id);
    }

    public async executePostUserStatusChanged(context: IUserStatusContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        await this.directoryFor(persis).setPresence(context.user, context.currentStatus);
    }

    public async executePostUserLoggedIn(user: IUser, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.directoryFor(persis).upsert(user);
    }

    /** A user who joins a room is a user the directory must know (default channels at sign-up too). */
    public async executePostRoomUserJoined(context: IRoomUserJoinedContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.directoryFor(persis).upsert(context.joiningUser);
    }

    /** A user who leaves a room stays a user; the event brings the user as it is now. */
    public async executePostRoomUserLeave(context: IRoomUserLeaveContext, _read: IRead, _http: IHttp, persis: IPersistence): Promise<void> {
        this.directoryFor(persis).upsert(context.leavingUser);
    }

    public executeBlockActionHandler(
        context: UIKitBlockInteractionContext,
        read: IRead,
        http: IHttp,
        persis: IPersistence,
        modify: IModify,
    ): Promise<IUIKitResponse> {
        return this.chat.handleBlockAction(context, read, modify, persis, http);
    }

    /** The only submit is the deactivation's confirmation modal. */
    public executeViewSubmitHandler(
        context: UIKitViewSubmitInteractionContext,
        read: IRead,
        _http: IHttp,
        persis: IPersistence,
        modify: IModify,
    ): Promise<IUIKitResponse> {
        return this.seats.viewSubmit(context, read, modify, persis);
    }

    public async executeViewClosedHandler(context: UIKitViewCloseInteractionContext): Promise<IUIKitResponse> {
        this.chat.forget(context.getInteractionData().user.id);
        return context.getInteractionResponder().successResponse();
    }
}
