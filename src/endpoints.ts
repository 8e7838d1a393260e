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

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

const METHOD_NOT_ALLOWED: IApiResponse = {
    status: 405,
    headers: { ...JSON_HEADERS, allow: ALLOWED_METHODS },
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
 * A GET endpoint that answers from the core. Rocket.Chat's router hands the
 * app every method, and one the endpoint lacks ends in the server's bare 500:
 * so HEAD is answered as GET (the server drops the body), OPTIONS with what is
 * allowed, and the others with a 405.
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

    public head(request: IApiRequest, endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        return this.get(request, endpoint, read, modify, http, persis);
    }

    /** For anyone: a CORS preflight carries no credentials. */
    public async options(): Promise<IApiResponse> {
        return { status: 204, headers: { allow: ALLOWED_METHODS } };
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

/**
 * `livechat/users/{type}` as a wildcard, whose match the server passes as
 * `params['0']`: engine 1.59's runtime cannot route a `:type` parameter (it
 * splits the method name at every ':'), and literal `agent`/`manager` paths
 * would also catch `Manager`, the server's router ignoring case.
 */
const livechatUsers: Answer = (request, context) => {
    const type = (request.params?.['0'] ?? '').replace(/\/$/, '');
    return listing(selectLivechatUsers)({ ...request, params: { type } }, context);
};

/** The app's endpoints by path: a new endpoint is one entry here. */
function answers(source: EndpointSource): Record<string, Answer> {
    return {
        'users.list': listing(selectUsersList),
        'users.listByStatus': listing(selectUsersByStatus),
        'livechat/users/*': livechatUsers,
        'directory.info': (request, context) => directoryInfo(request, context, source.facts()),
        'directory.summary': (request, context) => directorySummary(request, context, { now: Date.now(), asOf: source.directoryChangedAt() }),
    };
}

export function createEndpoints(app: IApp, source: EndpointSource): ApiEndpoint[] {
    return Object.entries(answers(source)).map(([path, answer]) => new CoreEndpoint(app, source, path, answer));
}
