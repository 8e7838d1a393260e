/** Rocket.Chat's AppApisBridge, registration side: the app's endpoints on this instance (the front routes requests to them). */
import type { AppApi } from '@rocket.chat/apps-engine/server/managers/AppApi';

import { compilePath } from '../http';
import type { InstanceContext } from './context';

export interface RegisteredEndpoint {
    appId: string;
    path: string;
    computedPath: string;
    visibility: 'public' | 'private';
    hash?: string;
    authRequired: boolean;
    methods: string[];
    /** compiled matcher for the endpoint path (Express 4 style, `:param` segments) */
    match: (path: string) => Record<string, string> | undefined;
}

export class HostApiBridge {
    readonly endpoints: RegisteredEndpoint[] = [];

    constructor(private readonly ctx: InstanceContext) {}

    async registerApi(api: AppApi, appId: string): Promise<void> {
        const { endpoint, computedPath } = api;
        if (typeof endpoint.path !== 'string') throw new Error('Invalid Api parameter provided, it must be a valid IApi object.');
        const visibility = String(api.api.visibility).toLowerCase().includes('private') ? 'private' : 'public';
        this.endpoints.push({
            appId,
            path: endpoint.path,
            computedPath,
            visibility,
            hash: (api as unknown as { hash?: string }).hash,
            authRequired: !!endpoint.authRequired,
            methods: ((endpoint as unknown as { _availableMethods?: string[] })._availableMethods || []).map(String),
            match: compilePath(endpoint.path),
        });
        this.ctx.log(`registered ${visibility} endpoint ${computedPath}`);
    }

    async unregisterApis(appId: string): Promise<void> {
        for (let i = this.endpoints.length - 1; i >= 0; i--) if (this.endpoints[i].appId === appId) this.endpoints.splice(i, 1);
    }
}
