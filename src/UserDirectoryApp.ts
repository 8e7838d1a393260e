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
    IPostUserCreated,
    IPostUserDeleted,
    IPostUserLoggedIn,
    IPostUserStatusChanged,
    IPostUserUpdated,
    IUser,
    IUserContext,
    IUserStatusContext,
} from '@rocket.chat/apps-engine/definition/users';

import { Config, defaultConfig } from './core/config';
import { ApiResponse, respond } from './core/errors';
import { ListContext, ListRequest } from './core/handlers';
import { DirectoryService } from './DirectoryService';
import { createEndpoints } from './endpoints';
import { configFromValues, provideSettings, readSettingValues } from './settings';

const JSON_HEADERS = { 'content-type': 'application/json' };

export default class UserDirectoryApp extends App
    implements IPostUserCreated, IPostUserUpdated, IPostUserDeleted, IPostUserStatusChanged, IPostUserLoggedIn {
    private config: Config = defaultConfig();
    private settingValues = new Map<string, unknown>();
    private readonly directory: DirectoryService;

    constructor(info: IAppInfo, logger: ILogger, accessors?: IAppAccessors) {
        super(info, logger, accessors);
        this.directory = new DirectoryService(
            () => this.getAccessors().reader,
            () => this.config.directoryMaxAgeMs,
            (error) => this.getLogger().error('Directory build failed', error),
        );
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
    }

    public async onEnable(environment: IEnvironmentRead): Promise<boolean> {
        this.settingValues = await readSettingValues(environment.getSettings());
        this.config = configFromValues(this.settingValues);
        return true;
    }

    public async onSettingUpdated(setting: ISetting): Promise<void> {
        this.settingValues.set(setting.id, setting.value ?? setting.packageValue);
        this.config = configFromValues(this.settingValues);
    }

    /** Answers an endpoint request from the core, over the directory (the first request waits for its build). */
    public async answer(request: IApiRequest, handler: (request: ListRequest, context: ListContext) => ApiResponse): Promise<IApiResponse> {
        const onUnexpected = (error: unknown) => this.getLogger().error('Request failed', error);
        let response: ApiResponse;
        try {
            const directory = await this.directory.get();
            if (request.user) {
                this.directory.meet(request.user);
            }
            const caller = request.user && { id: request.user.id, username: request.user.username, roles: request.user.roles ?? [] };
            const listRequest: ListRequest = { caller, query: request.query ?? {}, params: request.params ?? {} };
            response = respond(() => handler(listRequest, { directory, config: this.config }), onUnexpected);
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

    public async executePostUserStatusChanged(context: IUserStatusContext): Promise<void> {
        this.directory.upsert({ ...context.user, status: context.currentStatus });
    }

    public async executePostUserLoggedIn(user: IUser): Promise<void> {
        this.directory.upsert(user);
    }
}
