import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import type { ApiResponse } from './core/errors';
import { directoryInfo, ListContext, Listing, ListRequest, selectLivechatUsers, selectUsersByStatus, selectUsersList, toResponse } from './core/handlers';

/** What an endpoint needs from the app: one way to answer a request from the core. */
export interface RequestAnswerer {
    answer(request: IApiRequest, handler: (request: ListRequest, context: ListContext) => ApiResponse): Promise<IApiResponse>;
    buildFacts(): Record<string, unknown>;
}

/** A GET endpoint that hands the request to one core handler. */
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

    public get(request: IApiRequest, _endpoint: IApiEndpointInfo): Promise<IApiResponse> {
        return this.answerer.answer(request, this.handler);
    }
}

const listing = (select: (request: ListRequest, context: ListContext) => Listing) => (request: ListRequest, context: ListContext) =>
    toResponse(select(request, context));

export function createEndpoints(app: IApp, answerer: RequestAnswerer): ApiEndpoint[] {
    return [
        new CoreEndpoint(app, answerer, 'users.list', listing(selectUsersList)),
        new CoreEndpoint(app, answerer, 'users.listByStatus', listing(selectUsersByStatus)),
        new CoreEndpoint(app, answerer, 'livechat/users/:type', listing(selectLivechatUsers)),
        new CoreEndpoint(app, answerer, 'directory.info', (request, context) => directoryInfo(request, context, answerer.buildFacts())),
    ];
}
