/**
 * The local workspace host: installs a packaged app into the real
 * Apps-Engine (AppManager + Deno runtime) behind in-memory bridges, and
 * serves it on Rocket.Chat's URL layout. See README ("Local workspace").
 */
import { once } from 'events';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

import { AppStatusUtils } from '@rocket.chat/apps-engine/definition/AppStatus';
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';
import type { IParseAppPackageResult } from '@rocket.chat/apps-engine/server/compiler/IParseAppPackageResult';

import { HostBridges, RegisteredEndpoint } from './bridges';
import { publicUser, StoredUser, toAppUser } from './convert';
import { HttpError, parseBody, parseQuery, readBody, sendAppResponse, sendJson, sendText } from './http';
import { randomId, WorkspaceState } from './state';
import { MemoryLogStorage, MemoryMetadataStorage, MemorySourceStorage } from './storage';
import type { Workspace } from './workspace';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { fixup, defaultDenoDir } = require('./runtime/fixup.js') as {
    fixup(options?: { projectRoot?: string; denoDir?: string; cache?: boolean; quiet?: boolean }): { denoDir: string };
    defaultDenoDir(projectRoot?: string): string;
};

export interface StartHostOptions {
    /** The packaged app (`rc-apps package` output). */
    zipPath: string;
    workspace: Workspace;
    /** Port to listen on; 0 (default) picks a free one. */
    port?: number;
    /** Interface to listen on (default 127.0.0.1). */
    host?: string;
    log?: (line: string) => void;
    /**
     * Rocket.Chat's `users.setActiveStatus` fires no app event; by default the
     * host fires IPostUserUpdated for it so that an app's cached directory
     * sees the change. `false` does what Rocket.Chat does (no event).
     */
    activeStatusEvent?: boolean;
}

export interface RunningHost {
    url: string;
    appId: string;
    appVersion: string;
    stop(): Promise<void>;
    /** Calls per bridge method (e.g. `UserBridge.getById`) since start or the last reset. */
    bridgeCalls(): Record<string, number>;
    resetBridgeCalls(): void;
    denoPid(): number | undefined;
    /** Resolves once the app is enabled and has built its directory (first `directory.info` answered). */
    ready: Promise<void>;
    /** The app's registered endpoints (path as registered, e.g. `livechat/users/:type`). */
    endpoints(): Array<{ path: string; url: string; visibility: 'public' | 'private'; authRequired: boolean; methods: string[] }>;
    /** The app's registered slash commands. */
    commands(): string[];
}

const PROJECT_ROOT = path.resolve(__dirname, '..');

const UNAUTHORIZED_V1 = { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' };
const NOT_ADMIN = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };
const INVALID_USER = 'The required "userId" or "username" param provided does not match any users [error-invalid-user]';

let activeHost: { stop(): Promise<void> } | undefined;

/** Rocket.Chat's parseParameters (lib/utils/parseParameters.ts): slash command arguments. */
export function parseParameters(parameters: string): string[] {
    const split = (line: string) => line.replace(/\n\r/gm, '\n').split(/[ \n\r\t]/).filter(Boolean);
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

function safeDecode(segment: string): string {
    try {
        return decodeURIComponent(segment);
    } catch {
        throw new HttpError(400, { success: false, error: `Malformed URL segment "${segment}"` });
    }
}

function invalidParams(message: string): HttpError {
    return new HttpError(400, { success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' });
}

function failure(message: string, errorType?: string): HttpError {
    return new HttpError(400, { success: false, error: message, ...(errorType && { errorType }) });
}

function requireObject(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParams('must be object');
    return body as Record<string, unknown>;
}

function checkProps(body: Record<string, unknown>, spec: Record<string, 'string' | 'boolean' | 'object' | 'array' | 'any'>, required: string[], where = ''): void {
    for (const key of required) {
        if (body[key] === undefined) throw invalidParams(`must have required property '${key}'`);
    }
    for (const [key, value] of Object.entries(body)) {
        const type = spec[key];
        if (!type) throw invalidParams(`${where}must NOT have additional properties`);
        if (value === undefined || type === 'any') continue;
        const ok =
            type === 'array' ? Array.isArray(value) : type === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === type;
        if (!ok) throw invalidParams(`${where}${key} must be ${type}`);
    }
}

function ensureRuntimeEnvironment(log: (line: string) => void): void {
    // The engine launches the literal command `deno` and reads DENO_DIR.
    const bin = path.join(PROJECT_ROOT, 'node_modules', '.bin');
    const parts = (process.env.PATH || '').split(path.delimiter);
    if (!parts.includes(bin)) process.env.PATH = [bin, ...parts].join(path.delimiter);
    if (!process.env.DENO_DIR) process.env.DENO_DIR = defaultDenoDir(PROJECT_ROOT);
    try {
        fixup({ projectRoot: PROJECT_ROOT, denoDir: process.env.DENO_DIR, quiet: true });
    } catch (e) {
        throw new Error(`The Apps-Engine Deno runtime is not usable (node host/runtime/fixup.js): ${(e as Error).message}`);
    }
}

let runtimePatched = false;

/**
 * Two changes to how the engine runs the Deno subprocess, both about the
 * host's own lifetime: Deno starts in its own process group, so a Ctrl+C in
 * the terminal reaches only the host, which then stops the app in order
 * (otherwise Deno dies first and the engine restarts it or writes into a
 * closed pipe); and a write to a dead subprocess's stdin (EPIPE) is logged
 * instead of crashing the host.
 */
function patchRuntime(): void {
    if (runtimePatched) return;
    runtimePatched = true;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const childProcess = require('child_process') as typeof import('child_process');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { DenoRuntimeSubprocessController } = require('@rocket.chat/apps-engine/server/runtime/deno/AppsEngineDenoRuntime');
    const proto = DenoRuntimeSubprocessController.prototype as { spawnProcess(this: { deno?: import('child_process').ChildProcess }): void };
    const original = proto.spawnProcess;
    proto.spawnProcess = function spawnProcess(this: { deno?: import('child_process').ChildProcess }) {
        const realSpawn = childProcess.spawn;
        (childProcess as { spawn: unknown }).spawn = (command: string, args: string[], options: import('child_process').SpawnOptions) =>
            realSpawn(command, args, { ...options, detached: process.platform !== 'win32' });
        try {
            original.call(this);
        } finally {
            (childProcess as { spawn: unknown }).spawn = realSpawn;
        }
        this.deno?.stdin?.on('error', (e: Error) => console.error(`[local workspace] the app's Deno process is gone: ${e.message}`));
    };
}

/** Starts a host; resolves once the app is installed and enabled (see `ready` for its directory). */
export async function startHost(opts: StartHostOptions): Promise<RunningHost> {
    if (activeHost) throw new Error('Another local workspace host is running in this process: stop() it first (the Apps-Engine AppManager is a singleton).');
    const placeholder = { stop: async () => undefined };
    activeHost = placeholder;
    try {
        return await launch(opts);
    } catch (e) {
        if (activeHost === placeholder) activeHost = undefined;
        throw e;
    }
}

async function launch(opts: StartHostOptions): Promise<RunningHost> {
    const log = opts.log ?? (() => undefined);
    const zip = fs.readFileSync(opts.zipPath);
    ensureRuntimeEnvironment(log);
    patchRuntime();

    const state = new WorkspaceState(opts.workspace);
    let url = '';
    let manager: AppManager | undefined;
    const bridges = new HostBridges({ state, getManager: () => manager, siteUrl: () => url, log });
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-apps-host-'));

    const logStorage = new MemoryLogStorage((entry) => {
        for (const e of entry.entries || []) {
            if (e.severity === 'error') log(`[app ${entry.method}] ${e.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
        }
    });

    // A previous host in this process left the singleton behind: clear it.
    (AppManager as unknown as { Instance?: AppManager }).Instance = undefined;
    manager = new AppManager({
        metadataStorage: new MemoryMetadataStorage(),
        logStorage,
        bridges,
        sourceStorage: new MemorySourceStorage(),
        tempFilePath: tempDir,
    });

    const cleanUpEarly = () => {
        fs.rmSync(tempDir, { recursive: true, force: true });
        (AppManager as unknown as { Instance?: AppManager }).Instance = undefined;
        manager = undefined;
    };
    let parsed: IParseAppPackageResult;
    try {
        parsed = await manager.getParser().unpackageApp(zip);
    } catch (e) {
        cleanUpEarly();
        throw new Error(`${opts.zipPath} is not an installable app package: ${(e as Error)?.message ?? e}`);
    }
    const appId = parsed.info.id;
    const appVersion = parsed.info.version;

    let isReady = false;
    let stopping = false;
    const sockets = new Set<import('net').Socket>();
    const server = http.createServer((req, res) => {
        handle(req, res).catch((e) => {
            if (e instanceof HttpError) {
                if (typeof e.body === 'string') sendText(res, e.status, e.body);
                else sendJson(res, e.status, e.body);
                return;
            }
            log(`error handling ${req.method} ${(req.url || '').split('?')[0]}: ${(e as Error)?.stack || e}`);
            sendJson(res, 500, { success: false, error: (e as Error)?.message || 'Internal server error' });
        });
    });
    server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });

    const currentUser = (req: http.IncomingMessage): StoredUser | undefined => state.authenticate(req.headers['x-user-id'], req.headers['x-auth-token']);
    // The user is resolved here; the runtime logs each request it hands the app, so the token stays behind.
    const withoutCredentials = (headers: http.IncomingHttpHeaders): Record<string, string> => {
        const { 'x-auth-token': _token, cookie: _cookie, authorization: _authorization, ...rest } = headers;
        return rest as Record<string, string>;
    };

    const requireUser = (req: http.IncomingMessage): StoredUser => {
        const user = currentUser(req);
        if (!user) throw new HttpError(401, UNAUTHORIZED_V1);
        return user;
    };

    const requireAdmin = (req: http.IncomingMessage): StoredUser => {
        const user = requireUser(req);
        if (!user.roles?.includes('admin')) throw new HttpError(403, NOT_ADMIN);
        return user;
    };

    const app = (): ProxiedApp => {
        const proxied = manager?.getOneById(appId);
        if (!proxied) throw new HttpError(503, { success: false, error: 'Workspace is starting' });
        return proxied;
    };

    // ---- app endpoints -------------------------------------------------

    const findEndpoint = (visibility: 'public' | 'private', subPath: string): { endpoint: RegisteredEndpoint; params: Record<string, string> } | undefined => {
        for (const endpoint of bridges.api.endpoints) {
            if (endpoint.appId !== appId || endpoint.visibility !== visibility) continue;
            const params = endpoint.match(subPath);
            if (params) return { endpoint, params };
        }
        return undefined;
    };

    async function handleAppEndpoint(req: http.IncomingMessage, res: http.ServerResponse, visibility: 'public' | 'private', rest: string, search: string): Promise<void> {
        // rest: "<appId>/<path>" or "<appId>/<hash>/<path>"
        const parts = rest.split('/');
        const reqAppId = safeDecode(parts.shift() || '');
        const hash = visibility === 'private' ? safeDecode(parts.shift() || '') : undefined;
        const subPath = parts.join('/');
        if (reqAppId !== appId) throw new HttpError(404, { success: false, error: `No app with id "${reqAppId}"` });
        if (!isReady) throw new HttpError(503, { success: false, error: 'Workspace is starting' });
        const found = findEndpoint(visibility, subPath);
        if (!found) throw new HttpError(404, { success: false, error: `The app has no ${visibility} endpoint "${subPath}"` });
        const user = currentUser(req);
        if (found.endpoint.authRequired && !user) {
            sendText(res, 401, 'Unauthorized', 'text/plain; charset=utf-8');
            return;
        }
        const content = parseBody(req, await readBody(req));
        const request = {
            method: String(req.method || 'GET').toLowerCase(),
            headers: withoutCredentials(req.headers),
            query: parseQuery(search),
            params: found.params,
            content,
            privateHash: hash,
            user: user ? state.appUser(user._id) : undefined,
        };
        let result: { status?: number; headers?: Record<string, unknown>; content?: unknown };
        try {
            result = (await manager!.getApiManager().executeApi(appId, found.endpoint.path, request as never)) as typeof result;
        } catch (e) {
            // Rocket.Chat: res.status(500).send(reason.message)
            sendText(res, 500, String((e as Error)?.message ?? e), 'text/html; charset=utf-8');
            return;
        }
        sendAppResponse(res, result);
    }

    // ---- slash commands --------------------------------------------------

    async function commandsRun(req: http.IncomingMessage): Promise<unknown> {
        const user = requireUser(req);
        const body = requireObject(parseBody(req, await readBody(req)) ?? {});
        if (typeof body.command !== 'string') throw failure('You must provide a command to run.');
        if (body.params !== undefined && typeof body.params !== 'string') throw failure('The parameters for the command must be a single string.');
        if (typeof body.roomId !== 'string') throw failure("The room's id where to execute this command must be provided and be a string.");
        if (body.tmid !== undefined && typeof body.tmid !== 'string') throw failure('The tmid parameter when provided must be a string.');
        const cmd = body.command.toLowerCase().replace(/^\//, '');
        const registered = bridges.command.commands.get(cmd);
        if (!registered || !registered.enabled) throw failure('The command provided does not exist (or is disabled).');
        const room = state.rooms.get(body.roomId);
        if (!room) throw failure('The room provided does not exist.', 'error-invalid-room');
        if (room.t !== 'c' && !room.members.includes(user._id)) throw new HttpError(403, { success: false, error: 'unauthorized' });
        const triggerId = typeof body.triggerId === 'string' && body.triggerId ? body.triggerId : randomId();
        const context = new SlashCommandContext(
            Object.freeze(state.appUser(user._id) as IUser),
            Object.freeze(state.appRoom(room._id) as IRoom),
            Object.freeze(parseParameters(String(body.params ?? ''))) as string[],
            body.tmid as string | undefined,
            triggerId,
        );
        const done = state.collect();
        try {
            await manager!.getCommandManager().executeCommand(cmd, context);
        } catch (e) {
            done();
            throw failure((e as Error)?.message || String(e));
        }
        const produced = done();
        return { success: true, triggerId, ...produced };
    }

    // ---- UIKit interactions ---------------------------------------------

    async function uiInteraction(req: http.IncomingMessage, reqAppId: string): Promise<unknown> {
        const user = currentUser(req);
        if (!user) throw new HttpError(401, { status: 'error', message: 'You must be logged in to do this.' });
        if (reqAppId !== appId) throw new HttpError(404, { success: false, error: `No app with id "${reqAppId}"` });
        const body = requireObject(parseBody(req, await readBody(req)) ?? {});
        const type = body.type;
        const payload = (typeof body.payload === 'object' && body.payload !== null ? body.payload : {}) as Record<string, unknown>;
        const appUser = state.appUser(user._id) as IUser;
        const rid = (body.rid ?? body.roomId) as string | undefined;
        if (rid !== undefined && (typeof rid !== 'string' || !state.rooms.has(rid))) throw failure('The room provided does not exist.', 'error-invalid-room');
        const room = rid ? state.appRoom(rid) : undefined;
        const viewId = (body.viewId ?? (body.view as { id?: string } | undefined)?.id ?? (payload.view as { id?: string } | undefined)?.id) as string | undefined;
        const resolveView = (): Record<string, unknown> | undefined => {
            const given = (body.view ?? payload.view) as Record<string, unknown> | undefined;
            const stored = viewId ? state.views.get(viewId) : undefined;
            if (!given && !stored) return undefined;
            const view: Record<string, unknown> = { ...(stored || {}), ...(given || {}) };
            if (body.state !== undefined) view.state = body.state;
            return view;
        };
        let action: Record<string, unknown>;
        const triggerId = typeof body.triggerId === 'string' && body.triggerId ? body.triggerId : randomId();
        switch (type) {
            case 'blockAction': {
                if (typeof body.actionId !== 'string') throw failure('actionId must be a string');
                const container =
                    body.container ?? (viewId ? { type: 'view', id: viewId } : body.mid ? { type: 'message', id: body.mid } : undefined);
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
        const done = state.collect();
        let response: unknown;
        try {
            response = await manager!.getListenerManager().executeListener(AppInterface.IUIKitInteractionHandler, action as never);
        } catch (e) {
            done();
            throw new HttpError(500, { success: false, error: (e as Error)?.message || String(e) });
        }
        // Views the app opens or updates through its answer can be submitted by id later.
        const answeredView = (response as { view?: { id?: unknown } } | undefined)?.view;
        if (answeredView && typeof answeredView.id === 'string') state.views.set(answeredView.id, answeredView as Record<string, unknown>);
        return { success: true, triggerId, response: response ?? null, ...done() };
    }

    // ---- admin actions -------------------------------------------------

    const fire = async (event: AppInterface, data: unknown): Promise<void> => {
        try {
            await bridges.fireUserEvent(event, data);
        } catch (e) {
            throw failure((e as Error)?.message || String(e));
        }
    };

    const now = () => new Date().toISOString();

    const findTarget = (body: Record<string, unknown>): StoredUser => {
        const user =
            typeof body.userId === 'string'
                ? state.getUser(body.userId)
                : typeof body.username === 'string'
                  ? state.getUserByUsername(body.username)
                  : undefined;
        if (!user) throw failure(INVALID_USER, 'error-invalid-user');
        return user;
    };

    const activeAdmins = () => [...state.users.values()].filter((u) => u.active !== false && u.roles?.includes('admin'));

    async function usersCreate(req: http.IncomingMessage): Promise<unknown> {
        const admin = requireAdmin(req);
        const body = requireObject(parseBody(req, await readBody(req)));
        checkProps(
            body,
            {
                email: 'string',
                name: 'string',
                password: 'string',
                username: 'string',
                active: 'boolean',
                bio: 'string',
                nickname: 'string',
                statusText: 'string',
                roles: 'array',
                joinDefaultChannels: 'boolean',
                requirePasswordChange: 'boolean',
                setRandomPassword: 'boolean',
                sendWelcomeEmail: 'boolean',
                verified: 'boolean',
                customFields: 'object',
                fields: 'string',
                // host extensions
                authToken: 'string',
                type: 'string',
                utcOffset: 'any',
            },
            ['email', 'name', 'password', 'username'],
        );
        const username = String(body.username);
        if (!/^[0-9a-zA-Z-_.]+$/.test(username)) throw failure(`${username} is not a valid username, use only letters, numbers, dots, hyphens and underscores [error-input-is-not-a-valid-field]`, 'error-input-is-not-a-valid-field');
        if (state.isUsernameTaken(username)) throw failure(`${username} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
        const email = String(body.email);
        if (!/^\S+@\S+\.\S+$/.test(email)) throw failure(`Invalid email ${email} [error-invalid-email]`, 'error-invalid-email');
        if (state.isEmailTaken(email)) throw failure(`${email} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
        if (body.roles && !(body.roles as unknown[]).every((r) => typeof r === 'string')) throw invalidParams('roles must be array of strings');
        const createdAt = now();
        const user: StoredUser = {
            _id: randomId(),
            createdAt,
            username,
            emails: [{ address: email, verified: body.verified === true }],
            type: typeof body.type === 'string' ? body.type : 'user',
            status: 'offline',
            active: body.active !== false,
            _updatedAt: createdAt,
            roles: (body.roles as string[] | undefined) ?? ['user'],
            name: String(body.name),
            ...(body.requirePasswordChange !== undefined && { requirePasswordChange: body.requirePasswordChange }),
            ...(body.statusText !== undefined && { statusText: String(body.statusText) }),
            ...(body.bio !== undefined && { bio: String(body.bio) }),
            ...(body.nickname !== undefined && { nickname: body.nickname }),
            ...(body.customFields !== undefined && { customFields: body.customFields as Record<string, unknown> }),
            ...(typeof body.utcOffset === 'number' && { utcOffset: body.utcOffset }),
            ...(body.authToken !== undefined && { authToken: String(body.authToken) }),
        } as StoredUser;
        state.insertUser(user);
        if (body.joinDefaultChannels !== false && state.rooms.has('GENERAL')) state.addMember('GENERAL', user._id);
        await fire(AppInterface.IPostUserCreated, { user: toAppUser(user), performedBy: toAppUser(admin) });
        return { user: publicUser(user), success: true };
    }

    async function usersUpdate(req: http.IncomingMessage): Promise<unknown> {
        const admin = requireAdmin(req);
        const body = requireObject(parseBody(req, await readBody(req)));
        checkProps(body, { userId: 'string', data: 'object', confirmRelinquish: 'boolean' }, ['userId', 'data']);
        const data = body.data as Record<string, unknown>;
        checkProps(
            data,
            {
                email: 'string',
                name: 'string',
                password: 'string',
                username: 'string',
                bio: 'string',
                nickname: 'string',
                statusText: 'string',
                active: 'boolean',
                roles: 'array',
                joinDefaultChannels: 'boolean',
                requirePasswordChange: 'boolean',
                sendWelcomeEmail: 'boolean',
                verified: 'boolean',
                customFields: 'object',
                setRandomPassword: 'boolean',
                // host extensions
                authToken: 'string',
                type: 'string',
                utcOffset: 'any',
                freeSwitchExtension: 'string',
            },
            [],
            'data/',
        );
        const previous = findTarget(body);
        const next: StoredUser = JSON.parse(JSON.stringify(previous));
        if (data.username !== undefined && data.username !== previous.username) {
            const username = String(data.username);
            if (!/^[0-9a-zA-Z-_.]+$/.test(username)) throw failure(`${username} is not a valid username [error-input-is-not-a-valid-field]`, 'error-input-is-not-a-valid-field');
            if (state.isUsernameTaken(username, previous._id)) throw failure(`${username} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
            next.username = username;
        }
        if (data.email !== undefined) {
            const email = String(data.email);
            if (state.isEmailTaken(email, previous._id)) throw failure(`${email} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
            if (next.emails?.[0]?.address !== email) next.emails = [{ address: email, verified: false }, ...(next.emails || []).slice(1)];
        }
        if (typeof data.verified === 'boolean' && next.emails?.length) next.emails[0].verified = data.verified;
        if (data.name !== undefined) next.name = String(data.name);
        if (data.statusText !== undefined) next.statusText = String(data.statusText);
        if (data.bio !== undefined) next.bio = String(data.bio);
        if (data.nickname !== undefined) (next as unknown as Record<string, unknown>).nickname = data.nickname;
        if (data.roles !== undefined) {
            if (!(data.roles as unknown[]).every((r) => typeof r === 'string')) throw invalidParams('data/roles must be array of strings');
            if (previous.roles?.includes('admin') && !(data.roles as string[]).includes('admin') && activeAdmins().length === 1 && activeAdmins()[0]._id === previous._id) {
                throw failure('Leaving the app without an admin is not allowed [error-action-not-allowed]', 'error-action-not-allowed');
            }
            next.roles = [...(data.roles as string[])];
        }
        if (data.requirePasswordChange !== undefined) (next as unknown as Record<string, unknown>).requirePasswordChange = data.requirePasswordChange;
        if (data.customFields !== undefined) next.customFields = { ...(next.customFields || {}), ...(data.customFields as Record<string, unknown>) };
        if (data.authToken !== undefined) next.authToken = String(data.authToken);
        if (data.type !== undefined) next.type = String(data.type);
        if (data.utcOffset !== undefined) next.utcOffset = Number(data.utcOffset);
        if (data.freeSwitchExtension !== undefined) next.freeSwitchExtension = String(data.freeSwitchExtension);
        if (typeof data.active === 'boolean' && data.active !== (previous.active !== false)) {
            if (!data.active && previous.roles?.includes('admin') && activeAdmins().length === 1) {
                throw failure('Leaving the app without an active admin is not allowed [error-action-not-allowed]', 'error-action-not-allowed');
            }
            next.active = data.active;
        }
        next._updatedAt = now();
        state.replaceUser(next);
        await fire(AppInterface.IPostUserUpdated, { user: toAppUser(next), performedBy: toAppUser(admin), previousData: toAppUser(previous) });
        return { user: publicUser(next), success: true };
    }

    async function usersSetActiveStatus(req: http.IncomingMessage): Promise<unknown> {
        const admin = requireAdmin(req);
        const body = requireObject(parseBody(req, await readBody(req)));
        checkProps(body, { userId: 'string', activeStatus: 'boolean', confirmRelinquish: 'boolean' }, ['userId', 'activeStatus']);
        const previous = state.getUser(String(body.userId));
        if (!previous) throw failure('User not found');
        const active = body.activeStatus as boolean;
        if (!active && previous.active !== false && previous.roles?.includes('admin') && activeAdmins().length === 1) {
            throw failure('Leaving the app without an active admin is not allowed [error-action-not-allowed]', 'error-action-not-allowed');
        }
        const next: StoredUser = { ...previous, active, _updatedAt: now() };
        state.replaceUser(next);
        if (opts.activeStatusEvent !== false && (previous.active !== false) !== active) {
            await fire(AppInterface.IPostUserUpdated, { user: toAppUser(next), performedBy: toAppUser(admin), previousData: toAppUser(previous) });
        }
        return { user: { _id: next._id, active: next.active }, success: true };
    }

    async function usersDelete(req: http.IncomingMessage): Promise<unknown> {
        const admin = requireAdmin(req);
        const body = requireObject(parseBody(req, await readBody(req)));
        checkProps(body, { userId: 'string', username: 'string', confirmRelinquish: 'boolean' }, []);
        if (body.userId === undefined && body.username === undefined) throw invalidParams("must have required property 'userId'");
        const user = findTarget(body);
        if (user.roles?.includes('admin') && activeAdmins().filter((a) => a._id !== user._id).length === 0) {
            throw failure('Leaving the app without an admin is not allowed [error-action-not-allowed]', 'error-action-not-allowed');
        }
        state.deleteUser(user._id);
        await fire(AppInterface.IPostUserDeleted, { user: toAppUser(user), performedBy: toAppUser(admin) });
        return { success: true };
    }

    async function usersSetStatus(req: http.IncomingMessage): Promise<unknown> {
        const admin = requireAdmin(req);
        const body = requireObject(parseBody(req, await readBody(req)));
        checkProps(body, { userId: 'string', username: 'string', status: 'string', message: 'string' }, []);
        const target = body.userId !== undefined || body.username !== undefined ? findTarget(body) : admin;
        if (body.status !== undefined && !['online', 'away', 'offline', 'busy'].includes(String(body.status))) {
            throw failure('Valid status types include online, away, offline, and busy. [error-invalid-status]', 'error-invalid-status');
        }
        const previousStatus = target.status;
        const next: StoredUser = { ...target };
        if (body.status !== undefined) next.status = String(body.status);
        if (body.message !== undefined) next.statusText = String(body.message).trim().slice(0, 120);
        const changed = next.status !== target.status || next.statusText !== target.statusText;
        if (changed) {
            next._updatedAt = now();
            state.replaceUser(next);
            // Rocket.Chat's presence broadcast carries a partial user; the app receives that, converted.
            const partial = { _id: next._id, username: next.username, status: next.status, statusText: next.statusText, name: next.name, roles: next.roles };
            await fire(AppInterface.IPostUserStatusChanged, { user: toAppUser(partial), currentStatus: next.status, previousStatus });
        }
        return { success: true };
    }

    async function hostLogin(req: http.IncomingMessage): Promise<unknown> {
        requireAdmin(req);
        const body = requireObject(parseBody(req, await readBody(req)));
        checkProps(body, { userId: 'string' }, ['userId']);
        const user = state.getUser(String(body.userId));
        if (!user) throw failure(INVALID_USER, 'error-invalid-user');
        if (user.active === false) throw failure('User is deactivated [error-user-is-not-activated]', 'error-user-is-not-activated');
        const at = now();
        const next: StoredUser = { ...user, lastLogin: at, _updatedAt: at };
        state.replaceUser(next);
        await fire(AppInterface.IPostUserLoggedIn, toAppUser(next));
        return { user: publicUser(next), success: true };
    }

    // ---- routing ---------------------------------------------------------

    async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const rawUrl = req.url || '/';
        const q = rawUrl.indexOf('?');
        const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
        const search = q === -1 ? '' : rawUrl.slice(q + 1);
        const method = (req.method || 'GET').toUpperCase();

        if (stopping) throw new HttpError(503, { success: false, error: 'Workspace is stopping' });

        if (pathname === '/api/info' && method === 'GET') {
            sendJson(res, 200, { version: appVersion, success: true });
            return;
        }
        if (pathname.startsWith('/api/apps/public/')) {
            await handleAppEndpoint(req, res, 'public', pathname.slice('/api/apps/public/'.length), search);
            return;
        }
        if (pathname.startsWith('/api/apps/private/')) {
            await handleAppEndpoint(req, res, 'private', pathname.slice('/api/apps/private/'.length), search);
            return;
        }

        const routes: Record<string, (req: http.IncomingMessage) => Promise<unknown>> = {
            '/api/v1/commands.run': commandsRun,
            '/api/v1/users.create': usersCreate,
            '/api/v1/users.update': usersUpdate,
            '/api/v1/users.setActiveStatus': usersSetActiveStatus,
            '/api/v1/users.delete': usersDelete,
            '/api/v1/users.setStatus': usersSetStatus,
            '/host/login': hostLogin,
        };
        const route = routes[pathname];
        const uiMatch = pathname.match(/^\/api\/apps\/ui\.interaction\/([^/]+)\/?$/);
        if (!route && !uiMatch) throw new HttpError(404, { success: false, error: `Not found: ${method} ${pathname}` });
        if (method !== 'POST') throw new HttpError(405, { success: false, error: `Method ${method} not allowed on ${pathname}, use POST` });
        if (!isReady) throw new HttpError(503, { success: false, error: 'Workspace is starting' });
        app();
        const body = uiMatch ? await uiInteraction(req, safeDecode(uiMatch[1])) : await route(req);
        sendJson(res, 200, body);
    }

    // ---- start -----------------------------------------------------------

    try {
        server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
        await once(server, 'listening');
    } catch (e) {
        cleanUpEarly();
        throw e;
    }
    const address = server.address() as AddressInfo;
    const displayHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    url = `http://${displayHost === '0.0.0.0' ? '127.0.0.1' : displayHost}:${address.port}`;
    log(`listening on ${url}`);

    const denoPid = (): number | undefined => {
        const controller = manager?.getOneById(appId)?.getRuntimeController() as unknown as { deno?: { pid?: number; exitCode: number | null } } | undefined;
        const child = controller?.deno;
        return child && child.exitCode === null ? child.pid : undefined;
    };

    const killDeno = () => {
        const pid = denoPid();
        if (pid) {
            try {
                process.kill(pid, 'SIGKILL');
            } catch {
                /* already gone */
            }
        }
    };
    process.on('exit', killDeno);

    let stopped: Promise<void> | undefined;
    let readyPromise: Promise<void> | undefined;
    const stop = (): Promise<void> => {
        if (stopped) return stopped;
        stopping = true;
        stopped = (async () => {
            // Let a directory build in progress finish (briefly) rather than cut it off.
            if (readyPromise) await Promise.race([readyPromise.catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
            bridges.stopTimers();
            const closing = new Promise<void>((resolve) => server.close(() => resolve()));
            for (const socket of sockets) socket.destroy();
            await closing;
            const proxied = manager?.getOneById(appId);
            const controller = proxied?.getRuntimeController() as unknown as
                | { deno?: import('child_process').ChildProcess; livenessManager?: { stop(): void }; stopApp(): Promise<void> }
                | undefined;
            const child = controller?.deno;
            try {
                controller?.livenessManager?.stop();
                // A graceful disable only once the app is up; mid-start it is just killed.
                if (manager && isReady) await Promise.race([manager.unload(true), new Promise((r) => setTimeout(r, 3000).unref())]);
            } catch (e) {
                log(`warning: unloading the app failed: ${(e as Error).message}`);
            }
            try {
                await controller?.stopApp();
            } catch {
                /* ignore */
            }
            if (child && child.exitCode === null && child.signalCode === null) {
                child.kill('SIGKILL');
                await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000).unref())]);
            }
            // Requests still waiting for the killed runtime would otherwise hold their
            // (30 s) timers: answer them with an error now.
            const emitter = controller as unknown as import('events').EventEmitter | undefined;
            for (const name of emitter?.eventNames() ?? []) {
                if (String(name).startsWith('result:')) emitter?.emit(name, undefined, new Error('The local workspace host stopped'));
            }
            bridges.stopTimers();
            process.removeListener('exit', killDeno);
            fs.rmSync(tempDir, { recursive: true, force: true });
            (AppManager as unknown as { Instance?: AppManager }).Instance = undefined;
            manager = undefined;
            activeHost = undefined;
            log('stopped');
        })();
        return stopped;
    };
    activeHost = { stop };

    try {
        await manager.load();
        const installer = [...state.users.values()].find((u) => u.active !== false && u.roles?.includes('admin'));
        const started = Date.now();
        const aff = await manager.add(zip, {
            enable: true,
            user: (installer ? toAppUser(installer) : undefined) as IUser,
            ...(parsed.info.permissions && { permissionsGranted: parsed.info.permissions }),
        });
        const problems: string[] = [];
        if (aff.hasStorageError()) problems.push(`storage error: ${aff.getStorageError()}`);
        if (aff.hasAppUserError()) problems.push(`app user error: ${JSON.stringify(aff.getAppUserError())}`);
        const license = aff.getLicenseValidationResult?.();
        if (license?.hasErrors) problems.push(`license errors: ${JSON.stringify(license.getErrors())}`);
        const installed = aff.getApp?.();
        const status = installed ? await installed.getStatus() : undefined;
        if (!installed || !status || !AppStatusUtils.isEnabled(status)) {
            const entries = await logStorage.getEntriesFor(appId);
            const errors = entries
                .flatMap((entry) => (entry.entries || []).filter((e) => e.severity === 'error').map((e) => `${entry.method}: ${e.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`))
                .slice(-10);
            throw new Error(
                `The app ${parsed.info.name} ${appVersion} did not end up enabled (status: ${status ?? 'not installed'}).` +
                    (problems.length ? `\n  ${problems.join('\n  ')}` : '') +
                    (errors.length ? `\n  app log errors:\n    ${errors.join('\n    ')}` : ''),
            );
        }
        log(`installed and enabled ${parsed.info.name} ${appVersion} (${appId}) in ${Date.now() - started} ms`);
    } catch (e) {
        await stop();
        throw e;
    }

    const ready = (async () => {
        const found = findEndpoint('public', 'directory.info');
        if (found) {
            // The app answers 503 while its first directory is being built or loaded: ask again until it does not.
            const started = Date.now();
            for (;;) {
                const result = await manager!.getApiManager().executeApi(appId, found.endpoint.path, {
                    method: 'get',
                    headers: {},
                    query: {},
                    params: found.params,
                    content: undefined,
                    privateHash: undefined,
                    user: undefined,
                } as never);
                const status = (result as { status?: number })?.status;
                if (status !== 503 || stopping) {
                    log(`directory.info answered ${status} after ${Date.now() - started} ms`);
                    break;
                }
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
        } else {
            log('the app has no directory.info endpoint; ready without waiting');
        }
    })().finally(() => {
        isReady = true;
    });
    ready.catch((e) => log(`the app failed to get ready: ${(e as Error)?.message ?? e}`));
    readyPromise = ready;

    return {
        url,
        appId,
        appVersion,
        stop,
        bridgeCalls: () => Object.fromEntries([...bridges.callCounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
        resetBridgeCalls: () => bridges.callCounts.clear(),
        denoPid,
        ready,
        endpoints: () =>
            bridges.api.endpoints
                .filter((e) => e.appId === appId)
                .map((e) => ({ path: e.path, url: `${url}${e.computedPath}`, visibility: e.visibility, authRequired: e.authRequired, methods: e.methods })),
        commands: () => [...bridges.command.commands.entries()].filter(([, c]) => c.appId === appId && c.enabled).map(([name]) => name),
    };
}
