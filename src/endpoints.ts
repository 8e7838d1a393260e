import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { toCaller } from './core/config';
import { ApiResponse, respond } from './core/errors';
import { directoryInfo, ListContext, Listing, ListRequest, selectLivechatUsers, selectUsersByStatus, selectUsersList, toResponse } from './core/handlers';
import { directorySummary } from './core/seats/summary';
import { DirectoryUnavailable } from './DirectoryService';

/** What the endpoints need from the app. */
export interface EndpointSource {
    /** The directory and settings, for a handler the engine called with this persistence writer (the first call waits for the first build). */
    context(persis: IPersistence): Promise<ListContext>;
    /** A user seen in a request: the directory learns of users the events missed. */
    meet(user: IUser): void;
    /** What directory.info reports beyond the directory's size. */
    facts(): Record<string, unknown>;
    /** When the directory last changed (ms), for the summary's `asOf`. */
    directoryChangedAt(): number | undefined;
    logger(): ILogger;
}

/** An endpoint's answer, from the core: a pure function of the request and the directory. */
type Answer = (request: ListRequest, context: ListContext) => ApiResponse;

const JSON_HEADERS = { 'content-type': 'application/json' };

const METHOD_NOT_ALLOWED: IApiResponse = {
    status: 405,
    headers: { ...JSON_HEADERS, allow: 'GET' },
    content: { success: false, error: 'Method not allowed: use GET [error-method-not-allowed]', errorType: 'error-method-not-allowed' },
};

const UNAVAILABLE_BODY = {
    success: false,
    error: 'The user directory is not available yet; try again shortly [error-directory-unavailable]',
    errorType: 'error-directory-unavailable',
};

/** A 503 when the directory is not there yet (or could not be reached): Retry-After says when to come back. */
function unavailable(retryAfterSeconds: number): IApiResponse {
    return { status: 503, headers: { ...JSON_HEADERS, 'retry-after': String(retryAfterSeconds) }, content: UNAVAILABLE_BODY };
}

/**
 * A GET endpoint that answers from the core. The other methods are served
 * too, with a 405: an app endpoint without them ends in the server's bare 500.
 */
class CoreEndpoint extends ApiEndpoint {
    // Rocket.Chat's own 401 body is answered by the core; the server's would be bare text.
    public authRequired = false;

    constructor(
        app: IApp,
        private readonly source: EndpointSource,
        public path: string,
        private readonly answer: Answer,
    ) {
        super(app);
    }

    public async get(
        request: IApiRequest,
        _endpoint: IApiEndpointInfo,
        _read: IRead,
        _modify: IModify,
        _http: IHttp,
        persis: IPersistence,
    ): Promise<IApiResponse> {
        const onUnexpected = (error: unknown) => this.source.logger().error('Request failed', error);
        let response: ApiResponse;
        try {
            const context = await this.source.context(persis);
            if (request.user) {
                this.source.meet(request.user);
            }
            const listRequest: ListRequest = { caller: request.user && toCaller(request.user), query: request.query ?? {}, params: request.params ?? {} };
            response = respond(() => this.answer(listRequest, context), onUnexpected);
        } catch (error) {
            if (error instanceof DirectoryUnavailable) {
                return unavailable(error.retryAfterSeconds);
            }
            onUnexpected(error);
            return unavailable(30);
        }
        return { status: response.status, headers: JSON_HEADERS, content: response.content };
    }

    public async post(): Promise<IApiResponse> {
        return METHOD_NOT_ALLOWED;
    }

    public async put(): Promise<IApiResponse> {
        return METHOD_NOT_ALLOWED;
    }

    public async delete(): Promise<IApiResponse> {
        return METHOD_NOT_ALLOWED;
    }

    public async patch(): Promise<IApiResponse> {
        return METHOD_NOT_ALLOWED;
    }
}

const listing =
    (select: (request: ListRequest, context: ListContext) => Listing): Answer =>
    (request, context) =>
        toResponse(select(request, context));

/** The app's endpoints by path: a new endpoint is one entry here. */
function answers(source: EndpointSource): Record<string, Answer> {
    return {
        'users.list': listing(selectUsersList),
        'users.listByStatus': listing(selectUsersByStatus),
        // Engine 1.59's runtime cannot route a path with a parameter (it splits the method
        // name at every ':'), so the two real types also get literal paths, matched first.
        'livechat/users/agent': (request, context) => listing(selectLivechatUsers)({ ...request, params: { ...request.params, type: 'agent' } }, context),
        'livechat/users/manager': (request, context) => listing(selectLivechatUsers)({ ...request, params: { ...request.params, type: 'manager' } }, context),
        'livechat/users/:type': listing(selectLivechatUsers),
        'directory.info': (request, context) => directoryInfo(request, context, source.facts()),
        'directory.summary': (request, context) => directorySummary(request, context, { now: Date.now(), asOf: source.directoryChangedAt() }),
    };
}

export function createEndpoints(app: IApp, source: EndpointSource): ApiEndpoint[] {
    return Object.entries(answers(source)).map(([path, answer]) => new CoreEndpoint(app, source, path, answer));
}
