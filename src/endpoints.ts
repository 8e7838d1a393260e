import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import type { ApiResponse } from './core/errors';
import { directorySummary } from './core/seats/summary';
import { directoryInfo, ListContext, Listing, ListRequest, selectLivechatUsers, selectUsersByStatus, selectUsersList, toResponse } from './core/handlers';

/** What an endpoint needs from the app: one way to answer a request from the core. */
export interface RequestAnswerer {
    answer(request: IApiRequest, handler: (request: ListRequest, context: ListContext) => ApiResponse, persis: IPersistence): Promise<IApiResponse>;
    buildFacts(): Record<string, unknown>;
    /** When the directory last changed (ms), for the summary's `asOf`. */
    directoryChangedAt(): number | undefined;
}

const METHOD_NOT_ALLOWED: IApiResponse = {
    status: 405,
    headers: { 'content-type': 'application/json', allow: 'GET' },
    content: { success: false, error: 'Method not allowed: use GET [error-method-not-allowed]', errorType: 'error-method-not-allowed' },
};

/**
 * A GET endpoint that hands the request to one core handler. The other methods
 * are served too, with a 405: an app endpoint without them ends in the
 * server's bare 500.
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

const LIVECHAT_TYPES = ['agent', 'manager'];

export function createEndpoints(app: IApp, answerer: RequestAnswerer): ApiEndpoint[] {
    return [
        new CoreEndpoint(app, answerer, 'users.list', listing(selectUsersList)),
        new CoreEndpoint(app, answerer, 'users.listByStatus', listing(selectUsersByStatus)),
        // Engine 1.59's runtime cannot route a path with a parameter (it splits the method
        // name at every ':'), so the two real types also get literal paths, matched first.
        ...LIVECHAT_TYPES.map(
            (type) =>
                new CoreEndpoint(app, answerer, `livechat/users/${type}`, (request, context) =>
                    listing(selectLivechatUsers)({ ...request, params: { ...request.params, type } }, context),
                ),
        ),
        new CoreEndpoint(app, answerer, 'livechat/users/:type', listing(selectLivechatUsers)),
        new CoreEndpoint(app, answerer, 'directory.info', (request, context) => directoryInfo(request, context, answerer.buildFacts())),
        new CoreEndpoint(app, answerer, 'directory.summary', (request, context) =>
            directorySummary(request, context, { now: Date.now(), asOf: answerer.directoryChangedAt() }),
        ),
    ];
}
