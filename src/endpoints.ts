import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import type { ApiResponse } from './core/errors';
import { directoryInfo, ListContext, Listing, ListRequest, selectLivechatUsers, selectUsersByStatus, selectUsersList, toResponse } from './core/handlers';

/** What an endpoint needs from the app: one way to answer a request from the core. */
export interface RequestAnswerer {
    answer(request: IApiRequest, handler: (request: ListRequest, context: ListContext) => ApiResponse, persis: IPersistence): Promise<IApiResponse>;
    buildFacts(): Record<string, unknown>;
}

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

const METHOD_NOT_ALLOWED: IApiResponse = {
    status: 405,
    headers: { 'content-type': 'application/json', allow: ALLOWED_METHODS },
    content: { success: false, error: 'Method not allowed: use GET [error-method-not-allowed]', errorType: 'error-method-not-allowed' },
};

/**
 * A GET endpoint that hands the request to one core handler. Rocket.Chat's
 * router hands the app every method, and one the endpoint lacks ends in the
 * server's bare 500: so HEAD is answered as GET (the server drops the body),
 * OPTIONS with what is allowed, and the others with a 405.
 */
class CoreEndpoint extends ApiEndpoint {
    // Rocket.Chat's own 401 body is answered by the core; the server's would be bare text.
    public authRequired = false;

    constructor(
        app: IApp,
        private readonly answerer: RequestAnswerer,
        public path: string,
        private readonly handler: (request: ListRequest, context: ListContext) => ApiResponse,
    ) {
        super(app);
    }

    public get(request: IApiRequest, _endpoint: IApiEndpointInfo, _read: IRead, _modify: IModify, _http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        return this.answerer.answer(request, this.handler, persis);
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

const listing = (select: (request: ListRequest, context: ListContext) => Listing) => (request: ListRequest, context: ListContext) =>
    toResponse(select(request, context));

/**
 * `livechat/users/{type}` as a wildcard, whose match the server passes as
 * `params['0']`: engine 1.59's runtime cannot route a `:type` parameter (it
 * splits the method name at every ':'), and literal `agent`/`manager` paths
 * would also catch `Manager`, the server's router ignoring case.
 */
const livechatUsers = (request: ListRequest, context: ListContext) => {
    const type = (request.params?.['0'] ?? '').replace(/\/$/, '');
    return listing(selectLivechatUsers)({ ...request, params: { type } }, context);
};

export function createEndpoints(app: IApp, answerer: RequestAnswerer): ApiEndpoint[] {
    return [
        new CoreEndpoint(app, answerer, 'users.list', listing(selectUsersList)),
        new CoreEndpoint(app, answerer, 'users.listByStatus', listing(selectUsersByStatus)),
        new CoreEndpoint(app, answerer, 'livechat/users/*', livechatUsers),
        new CoreEndpoint(app, answerer, 'directory.info', (request, context) => directoryInfo(request, context, answerer.buildFacts())),
    ];
}
