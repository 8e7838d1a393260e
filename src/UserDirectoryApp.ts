import type {
    IAppAccessors,
    IConfigurationExtend,
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
import type { IUIKitInteractionHandler, IUIKitResponse, UIKitBlockInteractionContext, UIKitViewCloseInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
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
import { DirectoryService } from './DirectoryService';
import { createEndpoints } from './endpoints';
import { configFromValues, provideSettings, readSettingValues } from './settings';

const JSON_HEADERS = { 'content-type': 'application/json' };

export default class UserDirectoryApp extends App
    implements IPostUserCreated, IPostUserUpdated, IPostUserDeleted, IPostUserStatusChanged, IPostUserLoggedIn, IUIKitInteractionHandler {
    private config: Config = defaultConfig();
    private settingValues = new Map<string, unknown>();
    private readonly directory: DirectoryService;
    private readonly chat: DirectoryChat;

    constructor(info: IAppInfo, logger: ILogger, accessors?: IAppAccessors) {
        super(info, logger, accessors);
        this.directory = new DirectoryService(
            () => this.getAccessors().reader,
            () => this.config.directoryMaxAgeMs,
            (error) => this.getLogger().error('Directory build failed', error),
        );
        this.chat = new DirectoryChat({ appId: this.getID(), context: () => this.context(), logger: () => this.getLogger() });
    }

    protected async extendConfiguration(configuration: IConfigurationExtend): Promise<void> {
        await provideSettings(configuration);
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: createEndpoints(this, {
                answer: (request, handler) => this.answer(request, handler),
                buildFacts: () => ({ version: this.getVersion(), ...this.directory.info() }),
            }),
        });
        await configuration.slashCommands.provideSlashCommand(this.chat.slashCommand());
    }

    public async onEnable(environment: IEnvironmentRead): Promise<boolean> {
        this.settingValues = await readSettingValues(environment.getSettings());
        this.config = configFromValues(this.settingValues);
        prepareValidators();
        return true;
    }

    public async onSettingUpdated(setting: ISetting): Promise<void> {
        this.settingValues.set(setting.id, setting.value ?? setting.packageValue);
        this.config = configFromValues(this.settingValues);
    }

    /** The directory and settings to answer from (the first call waits for the first build). */
    private async context(): Promise<ListContext> {
        return { directory: await this.directory.get(), config: this.config };
    }

    /** Answers an endpoint request from the core. */
    public async answer(request: IApiRequest, handler: (request: ListRequest, context: ListContext) => ApiResponse): Promise<IApiResponse> {
        const onUnexpected = (error: unknown) => this.getLogger().error('Request failed', error);
        let response: ApiResponse;
        try {
            const context = await this.context();
            if (request.user) {
                this.directory.meet(request.user);
            }
            const listRequest: ListRequest = { caller: request.user && toCaller(request.user), query: request.query ?? {}, params: request.params ?? {} };
            response = respond(() => handler(listRequest, context), onUnexpected);
        } catch (error) {
            onUnexpected(error);
            response = { status: 503, content: { success: false, error: 'The user directory is not available yet; try again shortly [error-directory-unavailable]' } };
        }
        return { status: response.status, headers: JSON_HEADERS, content: response.content };
    }

    public async executePostUserCreated(context: IUserContext, _read?: IRead, _http?: IHttp, _persis?: IPersistence, _modify?: IModify): Promise<void> {
        this.directory.upsert(context.user);
    }

    /** The engine calls this name for IPostUserUpdated (the typings name the created one). */
    public async executePostUserUpdated(context: IUserContext): Promise<void> {
        this.directory.upsert(context.user);
    }

    public async executePostUserDeleted(context: IUserContext): Promise<void> {
        this.directory.remove(context.user.id);
    }

    public async executePostUserStatusChanged(context: IUserStatusContext, read: IRead): Promise<void> {
        await this.directory.setPresence(context.user, context.currentStatus, (id) => read.getUserReader().getById(id));
    }

    public async executePostUserLoggedIn(user: IUser): Promise<void> {
        this.directory.upsert(user);
    }

    public executeBlockActionHandler(context: UIKitBlockInteractionContext, read: IRead, _http: IHttp, _persistence: IPersistence, modify: IModify): Promise<IUIKitResponse> {
        return this.chat.handleBlockAction(context, read, modify);
    }

    public async executeViewClosedHandler(context: UIKitViewCloseInteractionContext): Promise<IUIKitResponse> {
        this.chat.forget(context.getInteractionData().user.id);
        return context.getInteractionResponder().successResponse();
    }
}
