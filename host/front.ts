/**
 * The HTTP front of one instance: Rocket.Chat's URL layout, each request
 * handled by this instance's engine (endpoints, slash commands, UIKit
 * interactions, admin actions and their events), plus the apps settings
 * routes and the host's stats. See host/README.md ("HTTP surface").
 */
import { once } from 'events';
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { adminActions } from './admin';
import type { StoredUser } from './convert';
import { AppResponse, failure, HttpError, parseBody, parseQuery, readBody, requireObject, safeDecode, sendAppResponse, sendJson, sendText } from './http';
import type { Instance, InstanceStats } from './instance';
import { randomId } from './documents';
import { membershipRoutes } from './membership';
import { findRoom, RoomRoute, restRoom, roomMessages } from './rooms';
import { settingValueProblem } from './settingValues';
import type { WorkspaceState } from './state';

const UNAUTHORIZED_V1 = { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' };
const NOT_ADMIN = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };
const STARTING = { success: false, error: 'Workspace is starting' };

/** What a front needs of its cluster. */
export interface ClusterView {
    appVersion: string;
    /** Every instance, running or not. */
    instances(): Instance[];
    stats(): InstanceStats[];
    resetStats(): void;
}

/** Rocket.Chat's parseParameters (lib/utils/parseParameters.ts): slash command arguments. */
export function parseParameters(parameters: string): string[] {
    const split = (line: string) =>
        line
            .replace(/\n\r/gm, '\n')
            .split(/[ \n\r\t]/)
            .filter(Boolean);
    if (!parameters.trim()) return [];
    const match = parameters.match(/((["'])(?:(?=(\\?))\3.)*?\2)/gs);
    let line = parameters;
    if (!match) return split(line);
    match.forEach((item) => {
        const newItem = item
            .replace(/(^['"])/g, '\u0086')
            .replace(/['"]$/g, '\u0087')
            .replace(/ /g, '\u2008')
            .replace(/\n/gm, '\u008B')
            .replace(/\r/gm, '\u008C')
            .replace(/\t/g, '\u008A');
        line = line.replace(item, newItem);
    });
    line = line.replace(/\u0087\u0086/g, '\u0087 \u0086');
    return split(line).map((item) =>
        item
            .replace(/\u2008/g, ' ')
            .replace(/\u008B/g, '\n')
            .replace(/\u008C/g, '\r')
            .replace(/\u008A/g, '\t')
            .replace(/[\u0086\u0087]/g, '')
            .replace(/\\"/g, '"'),
    );
}

/** The user is resolved here; the runtime logs each request it hands the app, so the token stays behind. */
function withoutCredentials(headers: http.IncomingHttpHeaders): Record<string, string> {
    const { 'x-auth-token': _token, cookie: _cookie, authorization: _authorization, ...rest } = headers;
    return rest as Record<string, string>;
}

export class Front {
    /** Set once the instance's app has answered its first directory.info. */
    ready = false;

    private readonly server: http.Server;

    private readonly sockets = new Set<Socket>();

    private readonly state: WorkspaceState;

    private readonly admin: ReturnType<typeof adminActions>;

    private readonly membership: ReturnType<typeof membershipRoutes>;

    constructor(
        private readonly instance: Instance,
        private readonly cluster: ClusterView,
        state: WorkspaceState,
        private readonly log: (line: string) => void,
    ) {
        this.state = state;
        this.admin = adminActions(instance, state);
        this.membership = membershipRoutes(instance, state);
        this.server = http.createServer((req, res) => {
            this.handle(req, res).catch((e) => {
                if (e instanceof HttpError) {
                    if (typeof e.body === 'string') sendText(res, e.status, e.body);
                    else sendJson(res, e.status, e.body);
                    return;
                }
                this.log(`error handling ${req.method} ${(req.url || '').split('?')[0]}: ${(e as Error)?.stack || e}`);
                sendJson(res, 500, { success: false, error: (e as Error)?.message || 'Internal server error' });
            });
        });
        this.server.on('connection', (socket) => {
            this.sockets.add(socket);
            socket.on('close', () => this.sockets.delete(socket));
        });
        this.server.on('clientError', (_err, socket) => {
            if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        });
    }

    /** Listens; the instance gets its URL and port. */
    async listen(port: number, host: string): Promise<void> {
        this.server.listen(port, host);
        await once(this.server, 'listening');
        const address = this.server.address() as AddressInfo;
        const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.instance.port = address.port;
        this.instance.url = `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${address.port}`;
    }

    /** Stops listening and drops open connections. */
    async close(): Promise<void> {
        this.ready = false;
        if (!this.server.listening) return;
        const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
        for (const socket of this.sockets) socket.destroy();
        await closing;
    }

    private currentUser(req: http.IncomingMessage): StoredUser | undefined {
        return this.state.authenticate(req.headers['x-user-id'], req.headers['x-auth-token']);
    }

    private requireUser(req: http.IncomingMessage): StoredUser {
        const user = this.currentUser(req);
        if (!user) throw new HttpError(401, UNAUTHORIZED_V1);
        return user;
    }

    private requireAdmin(req: http.IncomingMessage): StoredUser {
        const user = this.requireUser(req);
        if (!user.roles?.includes('admin')) throw new HttpError(403, NOT_ADMIN);
        return user;
    }

    private requireReady(): void {
        if (!this.ready || !this.instance.app()) throw new HttpError(503, STARTING);
    }

    private async body(req: http.IncomingMessage): Promise<unknown> {
        return parseBody(req, await readBody(req));
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const rawUrl = req.url || '/';
        const q = rawUrl.indexOf('?');
        const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
        const search = q === -1 ? '' : rawUrl.slice(q + 1);
        const method = (req.method || 'GET').toUpperCase();
        const reply = (body: unknown) => sendJson(res, 200, body);

        if (pathname === '/api/info' && method === 'GET') return reply({ version: this.cluster.appVersion, success: true });
        if (pathname.startsWith('/api/apps/public/')) return this.appEndpoint(req, res, 'public', pathname.slice('/api/apps/public/'.length), search);
        if (pathname.startsWith('/api/apps/private/')) return this.appEndpoint(req, res, 'private', pathname.slice('/api/apps/private/'.length), search);

        const settings = pathname.match(/^\/api\/apps\/([^/]+)\/settings\/?$/);
        if (settings && settings[1] !== 'ui.interaction') return reply(await this.appSettings(req, method, safeDecode(settings[1])));
        if (pathname === '/host/stats' || pathname === '/host/stats/reset') return reply(await this.hostStats(req, method, pathname));

        const roomRoute = pathname.match(/^\/api\/v1\/(channels\.messages|groups\.messages|im\.messages|rooms\.info)$/);
        if (roomRoute) return reply(this.roomRead(req, method, roomRoute[1] as RoomRoute, search));

        const ui = pathname.match(/^\/api\/apps\/ui\.interaction\/([^/]+)\/?$/);
        const action = Object.prototype.hasOwnProperty.call(this.admin, pathname) ? this.admin[pathname] : undefined;
        const command = pathname === '/api/v1/commands.run';
        const membership = Object.prototype.hasOwnProperty.call(this.membership, pathname) ? this.membership[pathname] : undefined;
        if (!action && !command && !ui && !membership) throw new HttpError(404, { success: false, error: `Not found: ${method} ${pathname}` });
        if (method !== 'POST') throw new HttpError(405, { success: false, error: `Method ${method} not allowed on ${pathname}, use POST` });
        this.requireReady();
        if (command) return reply(await this.commandsRun(req));
        if (ui) return reply(await this.uiInteraction(req, safeDecode(ui[1])));
        if (membership) return reply(await membership(this.requireUser(req), await this.body(req)));
        const admin = this.requireAdmin(req);
        return reply(await action!(admin, await this.body(req)));
    }

    // ---- what clients read of rooms (see rooms.ts) -------------------------

    private roomRead(req: http.IncomingMessage, method: string, route: RoomRoute, search: string): unknown {
        if (method !== 'GET') throw new HttpError(405, { success: false, error: `Method ${method} not allowed on /api/v1/${route}, use GET` });
        this.requireReady();
        const user = this.requireUser(req);
        const query = parseQuery(search);
        const room = findRoom(route, query, user, this.state);
        if (route === 'rooms.info') return { room: restRoom(room, this.state), success: true };
        const settings = {
            defaultCount: Number(this.instance.serverSetting('API_Default_Count') ?? 50),
            upperLimit: Number(this.instance.serverSetting('API_Upper_Count_Limit') ?? 100),
            allowInfinite: this.instance.serverSetting('API_Allow_Infinite_Count') !== false,
        };
        return { ...roomMessages(room, query, this.state, settings), success: true };
    }

    // ---- app endpoints ---------------------------------------------------

    /** As Rocket.Chat's AppApisBridge: an Express router per app; rest is "<appId>/<path>" or "<appId>/<hash>/<path>". */
    private async appEndpoint(
        req: http.IncomingMessage,
        res: http.ServerResponse,
        visibility: 'public' | 'private',
        rest: string,
        search: string,
    ): Promise<void> {
        const parts = rest.split('/');
        const reqAppId = safeDecode(parts.shift() || '');
        const hash = visibility === 'private' ? safeDecode(parts.shift() || '') : undefined;
        const subPath = parts.join('/');
        if (reqAppId !== this.instance.appId) throw new HttpError(404, { success: false, error: `No app with id "${reqAppId}"` });
        this.requireReady();
        const found = this.instance.findEndpoint(visibility, subPath);
        if (!found) throw new HttpError(404, { success: false, error: `The app has no ${visibility} endpoint "${subPath}"` });
        const user = this.currentUser(req);
        if (found.endpoint.authRequired && !user) return sendText(res, 401, 'Unauthorized', 'text/plain; charset=utf-8');
        const request = {
            method: String(req.method || 'GET').toLowerCase(),
            headers: withoutCredentials(req.headers),
            query: parseQuery(search),
            params: found.params,
            content: await this.body(req),
            privateHash: hash,
            user: user ? this.state.appUser(user._id) : undefined,
        };
        let result: AppResponse;
        try {
            result = (await this.instance.executeApi(found.endpoint.path, request)) as AppResponse;
        } catch (e) {
            // Rocket.Chat: res.status(500).send(reason.message), e.g. "users.list's post not exists" for a method the endpoint lacks.
            return sendAppResponse(req, res, { status: 500, content: String((e as Error)?.message ?? e) });
        }
        sendAppResponse(req, res, result);
    }

    // ---- slash commands --------------------------------------------------

    private async commandsRun(req: http.IncomingMessage): Promise<unknown> {
        const user = this.requireUser(req);
        const body = requireObject((await this.body(req)) ?? {});
        if (typeof body.command !== 'string') throw failure('You must provide a command to run.');
        if (body.params !== undefined && typeof body.params !== 'string') throw failure('The parameters for the command must be a single string.');
        if (typeof body.roomId !== 'string') throw failure("The room's id where to execute this command must be provided and be a string.");
        if (body.tmid !== undefined && typeof body.tmid !== 'string') throw failure('The tmid parameter when provided must be a string.');
        const cmd = body.command.toLowerCase().replace(/^\//, '');
        if (!this.instance.isCommand(cmd)) throw failure('The command provided does not exist (or is disabled).');
        const room = this.state.rooms.get(body.roomId);
        if (!room) throw failure('The room provided does not exist.', 'error-invalid-room');
        if (room.t !== 'c' && !room.members.includes(user._id)) throw new HttpError(403, { success: false, error: 'unauthorized' });
        const triggerId = typeof body.triggerId === 'string' && body.triggerId ? body.triggerId : randomId();
        const context = new SlashCommandContext(
            Object.freeze(this.state.appUser(user._id) as IUser),
            Object.freeze(this.state.appRoom(room._id) as IRoom),
            Object.freeze(parseParameters(String(body.params ?? ''))) as string[],
            body.tmid,
            triggerId,
        );
        const done = this.instance.produced.collect();
        try {
            await this.instance.executeCommand(cmd, context);
        } catch (e) {
            done();
            throw failure((e as Error)?.message || String(e));
        }
        return { success: true, triggerId, ...done() };
    }

    // ---- UIKit interactions ----------------------------------------------

    private async uiInteraction(req: http.IncomingMessage, reqAppId: string): Promise<unknown> {
        const user = this.currentUser(req);
        if (!user) throw new HttpError(401, { status: 'error', message: 'You must be logged in to do this.' });
        if (reqAppId !== this.instance.appId) throw new HttpError(404, { success: false, error: `No app with id "${reqAppId}"` });
        const body = requireObject((await this.body(req)) ?? {});
        const type = body.type;
        const payload = (typeof body.payload === 'object' && body.payload !== null ? body.payload : {}) as Record<string, unknown>;
        const appUser = this.state.appUser(user._id) as IUser;
        const rid = (body.rid ?? body.roomId) as string | undefined;
        if (rid !== undefined && (typeof rid !== 'string' || !this.state.rooms.has(rid)))
            throw failure('The room provided does not exist.', 'error-invalid-room');
        const room = rid ? this.state.appRoom(rid) : undefined;
        const viewId = (body.viewId ?? (body.view as { id?: string } | undefined)?.id ?? (payload.view as { id?: string } | undefined)?.id) as
            string | undefined;
        const resolveView = (): Record<string, unknown> | undefined => {
            const given = (body.view ?? payload.view) as Record<string, unknown> | undefined;
            const stored = viewId ? this.state.views.get(viewId) : undefined;
            if (!given && !stored) return undefined;
            const view: Record<string, unknown> = { ...(stored || {}), ...(given || {}) };
            if (body.state !== undefined) view.state = body.state;
            return view;
        };
        let action: Record<string, unknown>;
        const triggerId = typeof body.triggerId === 'string' && body.triggerId ? body.triggerId : randomId();
        const appId = this.instance.appId;
        switch (type) {
            case 'blockAction': {
                if (typeof body.actionId !== 'string') throw failure('actionId must be a string');
                const container = body.container ?? (viewId ? { type: 'view', id: viewId } : body.mid ? { type: 'message', id: body.mid } : undefined);
                action = {
                    type,
                    container,
                    appId,
                    actionId: body.actionId,
                    message: undefined,
                    triggerId,
                    payload: { blockId: body.blockId ?? payload.blockId, value: body.value ?? payload.value },
                    user: appUser,
                    visitor: undefined,
                    room,
                };
                break;
            }
            case 'viewSubmit': {
                const view = resolveView();
                if (!view) throw failure('viewSubmit needs "view" (or the "viewId" of a view the app opened)');
                action = { type, appId, actionId: body.actionId, triggerId, payload: { ...payload, view }, user: appUser, room };
                break;
            }
            case 'viewClosed': {
                const view = resolveView();
                if (!view) throw failure('viewClosed needs "view" (or the "viewId" of a view the app opened)');
                action = { type, appId, actionId: body.actionId, user: appUser, payload: { view, isCleared: !!(body.isCleared ?? payload.isCleared) }, room };
                break;
            }
            default:
                throw new HttpError(400, { success: false, error: 'Unknown action' });
        }
        const done = this.instance.produced.collect();
        let response: unknown;
        try {
            response = await this.instance.executeUiInteraction(AppInterface.IUIKitInteractionHandler, action);
        } catch (e) {
            done();
            throw new HttpError(500, { success: false, error: (e as Error)?.message || String(e) });
        }
        // Views the app opens or updates through its answer can be submitted by id later.
        const answeredView = (response as { view?: { id?: unknown } } | undefined)?.view;
        if (answeredView && typeof answeredView.id === 'string') this.state.views.set(answeredView.id, answeredView);
        return { success: true, triggerId, response: response ?? null, ...done() };
    }

    // ---- apps settings (Rocket.Chat's /api/apps/:id/settings) ------------

    /**
     * GET: `{settings: {<id>: setting}}` without hidden ones. POST
     * `{settings: [{id, value}, ...]}`: each setting whose value differs is
     * changed through this instance's engine (stored, onSettingUpdated), and
     * the change reaches every other running instance, as Rocket.Chat's
     * notifier passes it on; answers `{updated: [...]}`.
     */
    private async appSettings(req: http.IncomingMessage, method: string, appId: string): Promise<unknown> {
        if (method !== 'GET' && method !== 'POST') throw new HttpError(405, { success: false, error: `Method ${method} not allowed, use GET or POST` });
        this.requireAdmin(req);
        const body = method === 'POST' ? await this.body(req) : undefined;
        this.requireReady();
        if (appId !== this.instance.appId) throw new HttpError(404, { success: false, error: `No App found by the id of: ${appId}` });
        const current = this.instance.settings();
        if (method === 'GET') {
            return { settings: Object.fromEntries(Object.entries(current).filter(([, s]) => !(s as { hidden?: boolean }).hidden)), success: true };
        }
        const given = (body as { settings?: unknown } | undefined)?.settings;
        if (!given) throw failure('The settings to update must be present.');
        if (!Array.isArray(given) || !given.every((s) => typeof s === 'object' && s !== null && typeof (s as { id?: unknown }).id === 'string')) {
            throw failure('settings must be a list of {id, value}');
        }
        // Every value is checked before any is changed: a refused batch changes nothing.
        for (const change of given as Array<{ id: string; value: unknown }>) {
            const problem = current[change.id] && settingValueProblem(current[change.id], change.value);
            if (problem) throw failure(`Invalid value for setting "${change.id}": ${problem}`, 'error-invalid-setting-value');
        }
        const updated: ISetting[] = [];
        for (const change of given as Array<{ id: string; value: unknown }>) {
            const old = current[change.id];
            if (!old || old.value === change.value) continue;
            // The admin UI sends whole settings; a bare {id, value} keeps the rest of the stored one.
            const setting = { ...old, ...change } as ISetting;
            await this.instance.updateSetting(setting);
            for (const other of this.cluster.instances()) {
                if (other !== this.instance && other.app()) await other.updateSetting(setting);
            }
            updated.push(change as unknown as ISetting);
        }
        return { updated, success: true };
    }

    // ---- the host's stats -------------------------------------------------

    private async hostStats(req: http.IncomingMessage, method: string, pathname: string): Promise<unknown> {
        const reset = pathname === '/host/stats/reset';
        if (method !== (reset ? 'POST' : 'GET'))
            throw new HttpError(405, { success: false, error: `Method ${method} not allowed on ${pathname}, use ${reset ? 'POST' : 'GET'}` });
        this.requireAdmin(req);
        if (reset) this.cluster.resetStats();
        return { instances: this.cluster.stats(), success: true };
    }
}
