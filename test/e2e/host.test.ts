/// <reference types="jest" />
/**
 * The local workspace host itself, on the test run's engine: authentication,
 * the admin routes and the engine events they fire (payloads as Rocket.Chat
 * builds them), commands and UI interactions, app endpoints' HTTP details,
 * the apps settings routes, 404s and a clean stop. Runs the packaged app
 * (dist/*.zip, built by `npm run package`) in the real engine.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';

import { generateDemoWorkspace, RunningHost, startHost, Workspace } from '../../host';
import { loadEngine } from '../../host/engine';
import { appZip, testEngine } from './support';

const engine = loadEngine(testEngine());
// The engine the host runs: its own listener manager sees the events the app gets.
const { AppListenerManager } = engine.load<{ AppListenerManager: { prototype: { executeListener(...args: unknown[]): Promise<unknown> } } }>(
    'server/managers/AppListenerManager',
);

interface Reply {
    status: number;
    body: any;
    headers: Headers;
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(init.headers || {}) };
    let body: string | undefined;
    if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] = headers['content-type'] || 'application/json';
    }
    const response = await fetch(url, { method: init.method || (body === undefined ? 'GET' : 'POST'), headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
        parsed = JSON.parse(text);
    } catch {
        /* text body */
    }
    return { status: response.status, body: parsed, headers: response.headers };
}

const as = (id: string, token = `${id}-token`) => ({ 'X-User-Id': id, 'X-Auth-Token': token });

function isGone(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return false;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
}

function smallWorkspace(): Workspace {
    return {
        users: [
            {
                _id: 'admin',
                username: 'admin',
                name: 'Admin',
                roles: ['admin', 'user'],
                active: true,
                type: 'user',
                status: 'online',
                authToken: 'admin-token',
                emails: [{ address: 'admin@example.com', verified: true }],
            },
            {
                _id: 'alice',
                username: 'alice',
                name: 'Alice',
                roles: ['user'],
                active: true,
                type: 'user',
                status: 'online',
                authToken: 'alice-token',
                lastLogin: '2024-04-24T17:47:50.485Z',
            },
            { _id: 'bob', username: 'bob', name: 'Bob', roles: ['user'], active: false, type: 'user', status: 'offline', authToken: 'bob-token' },
            { _id: 'carol', username: 'carol', name: 'Carol', roles: ['user', 'livechat-agent'], active: true, type: 'user', status: 'away' },
            {
                _id: 'dave',
                username: 'dave',
                name: 'Dave',
                roles: ['user', 'livechat-manager'],
                active: true,
                type: 'user',
                status: 'busy',
                customFields: { clearance: 'High' },
            },
            { _id: 'loner', username: 'loner', name: 'Loner', roles: ['user'], active: true, type: 'user' },
        ],
        rooms: [
            { _id: 'GENERAL', name: 'general', t: 'c', members: ['admin', 'alice', 'bob', 'carol', 'dave'] },
            { _id: 'secret', name: 'secret', t: 'p', members: ['admin'] },
            { _id: 'adminalice', t: 'd', members: ['admin', 'alice'] },
        ],
    };
}

describe('a running host', () => {
    let host: RunningHost;
    let base: string;
    let beforeReady: Reply;
    const listener = jest.spyOn(AppListenerManager.prototype, 'executeListener');
    const eventsOf = (int: AppInterface) => listener.mock.calls.filter(([i]) => i === int).map(([, data]) => data as any);

    beforeAll(async () => {
        host = await startHost({ zipPath: appZip(), workspace: smallWorkspace(), port: 0, engine: testEngine() });
        base = `${host.url}/api/apps/public/${host.appId}`;
        beforeReady = await call(`${base}/directory.info`, { headers: as('alice') });
        await host.ready;
    }, 120000);

    afterAll(async () => {
        listener.mockRestore();
        await host?.stop();
    }, 60000);

    it('serves /api/info', async () => {
        // The tiny directory here may be built before this first request: a 503 or the app's own answer.
        expect(beforeReady.status === 503 ? beforeReady.body : { success: false, error: 'Workspace is starting' }).toEqual({
            success: false,
            error: 'Workspace is starting',
        });
        const info = await call(`${host.url}/api/info`);
        expect(info).toMatchObject({ status: 200, body: { version: host.appVersion, success: true } });
        expect(host.appId).toMatch(/^[0-9a-f-]{36}$/);
        expect(host.denoPid()).toEqual(expect.any(Number));
    });

    it('resolves the caller from X-User-Id and X-Auth-Token', async () => {
        expect((await call(`${base}/users.list`, { headers: as('alice') })).status).toBe(200);
        for (const headers of [
            {} as Record<string, string>,
            as('alice', 'wrong'),
            as('alice', 'admin-token'),
            as('bob'),
            as('carol', ''),
            { 'X-User-Id': 'alice' },
        ]) {
            const reply = await call(`${base}/users.list`, { headers });
            expect(reply.status).toBe(401);
            expect(JSON.stringify(reply.body)).not.toContain('-token');
        }
    });

    it('parses roles[]=a&roles[]=b and roles=a&roles=b into the same array', async () => {
        const bracket = await call(`${base}/users.listByStatus?roles[]=livechat-agent&roles[]=livechat-manager`, { headers: as('admin') });
        const repeated = await call(`${base}/users.listByStatus?roles=livechat-agent&roles=livechat-manager`, { headers: as('admin') });
        expect(bracket.status).toBe(200);
        expect(repeated.body).toEqual(bracket.body);
        expect(bracket.body.users.map((u: { username: string }) => u.username).sort()).toEqual(['carol', 'dave']);
        const single = await call(`${base}/users.listByStatus?roles=livechat-agent`, { headers: as('admin') });
        expect(single.status).toBe(400);
    });

    it('answers 404 for unknown routes, apps and app paths', async () => {
        expect(await call(`${host.url}/nope`)).toMatchObject({ status: 404, body: { success: false } });
        expect(await call(`${host.url}/api/apps/public/not-the-app/users.list`)).toMatchObject({ status: 404, body: { success: false } });
        expect(await call(`${base}/no.such.endpoint`)).toMatchObject({ status: 404, body: { success: false } });
        expect(await call(`${host.url}/api/v1/users.create`)).toMatchObject({ status: 405 });
    });

    it('writes app endpoint answers as Express does: JSON with charset, a weak ETag, 304, and a 500 for a method the app lacks', async () => {
        const listed = await call(`${base}/users.list`, { headers: as('alice') });
        expect(listed.status).toBe(200);
        // The app sets `content-type: application/json`; Express's res.set adds the charset.
        expect(listed.headers.get('content-type')).toBe('application/json; charset=utf-8');
        const etag = listed.headers.get('etag');
        expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
        // fetch sends Cache-Control: no-cache with If-None-Match, which Express honours; a plain client gets 304.
        const conditional = await new Promise<number>((resolve, reject) => {
            http.get(`${base}/users.list`, { headers: { ...as('alice'), 'if-none-match': etag! } }, (res) => {
                res.resume();
                resolve(res.statusCode!);
            }).on('error', reject);
        });
        expect(conditional).toBe(304);
        // Rocket.Chat: res.status(500).send(reason.message) when the engine call fails (the app serves
        // the methods IApiEndpoint knows; Express's router also passes on others).
        const propfind = await call(`${base}/users.list`, { method: 'PROPFIND', headers: as('alice') });
        expect(propfind).toMatchObject({ status: 500, body: "users.list's propfind not exists" });
        expect(propfind.headers.get('content-type')).toBe('text/html; charset=utf-8');
    });

    it('requires an admin for the admin routes', async () => {
        const body = { email: 'x@example.com', name: 'X', password: 'p', username: 'x' };
        expect(await call(`${host.url}/api/v1/users.create`, { body, headers: as('alice') })).toMatchObject({
            status: 403,
            body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
        });
        expect((await call(`${host.url}/api/v1/users.create`, { body })).status).toBe(401);
        expect(await call(`${host.url}/api/v1/users.create`, { body: { name: 'X' }, headers: as('admin') })).toMatchObject({
            status: 400,
            body: { success: false },
        });
        expect(await call(`${host.url}/api/v1/users.delete`, { body: '{not json', headers: as('admin') })).toMatchObject({
            status: 400,
            body: { success: false },
        });
    });

    it('creates, updates, (de)activates, logs in, sets the status of and deletes a user, firing the engine events', async () => {
        const url = host.url;
        const find = async (term: string) =>
            (await call(`${base}/users.listByStatus?searchTerm=${term}`, { headers: as('admin') })).body.users as Array<Record<string, any>>;
        listener.mockClear();

        const created = await call(`${url}/api/v1/users.create`, {
            headers: as('admin'),
            body: {
                email: 'newbie@example.com',
                name: 'New Bie',
                password: 'secret',
                username: 'newbie',
                roles: ['user', 'livechat-agent'],
                authToken: 'newbie-token',
            },
        });
        expect(created.status).toBe(200);
        expect(created.body).toMatchObject({
            success: true,
            user: {
                username: 'newbie',
                name: 'New Bie',
                active: true,
                roles: ['user', 'livechat-agent'],
                emails: [{ address: 'newbie@example.com', verified: false }],
            },
        });
        expect(created.body.user.authToken).toBeUndefined();
        const id = created.body.user._id as string;
        expect(eventsOf(AppInterface.IPostUserCreated)).toEqual([
            {
                user: expect.objectContaining({ id, username: 'newbie', isEnabled: true, type: 'user', createdAt: expect.any(Date) }),
                performedBy: expect.objectContaining({ id: 'admin' }),
            },
        ]);
        expect(await find('newbie')).toEqual([expect.objectContaining({ _id: id, active: true })]);
        expect((await call(`${base}/users.list`, { headers: as(id, 'newbie-token') })).status).toBe(200);

        const updated = await call(`${url}/api/v1/users.update`, {
            headers: as('admin'),
            body: { userId: id, data: { name: 'Newer Bie', customFields: { clearance: 'Low' } } },
        });
        expect(updated).toMatchObject({ status: 200, body: { success: true, user: { _id: id, name: 'Newer Bie', customFields: { clearance: 'Low' } } } });
        expect(eventsOf(AppInterface.IPostUserUpdated)).toEqual([
            {
                user: expect.objectContaining({ id, name: 'Newer Bie' }),
                performedBy: expect.objectContaining({ id: 'admin' }),
                previousData: expect.objectContaining({ id, name: 'New Bie' }),
            },
        ]);
        expect((await find('newbie'))[0].name).toBe('Newer Bie');
        expect((await call(`${url}/api/v1/users.update`, { headers: as('admin'), body: { userId: id, data: { bogus: 1 } } })).status).toBe(400);
        expect((await call(`${url}/api/v1/users.update`, { headers: as('admin'), body: { userId: 'ghost', data: {} } })).status).toBe(400);

        listener.mockClear();
        const login = await call(`${url}/host/login`, { headers: as('admin'), body: { userId: id } });
        expect(login).toMatchObject({ status: 200, body: { success: true, user: { _id: id, lastLogin: expect.any(String) } } });
        // The whole user, not the presence broadcast's part of it.
        expect(eventsOf(AppInterface.IPostUserLoggedIn)).toEqual([
            expect.objectContaining({
                id,
                lastLoginAt: expect.any(Date),
                name: 'Newer Bie',
                isEnabled: true,
                emails: [{ address: 'newbie@example.com', verified: false }],
            }),
        ]);
        expect((await find('newbie'))[0].lastLogin).toBe(login.body.user.lastLogin);

        listener.mockClear();
        const status = await call(`${url}/api/v1/users.setStatus`, { headers: as('admin'), body: { userId: id, status: 'busy' } });
        expect(status).toMatchObject({ status: 200, body: { success: true } });
        expect(eventsOf(AppInterface.IPostUserStatusChanged)).toEqual([
            { user: expect.objectContaining({ id, username: 'newbie', status: 'busy' }), currentStatus: 'busy', previousStatus: 'offline' },
        ]);
        expect(host.stats()[0].events).toMatchObject({ IPostUserCreated: 1, IPostUserUpdated: 1, IPostUserLoggedIn: 1, IPostUserStatusChanged: 1 });
        expect((await find('newbie'))[0].status).toBe('busy');
        expect((await call(`${url}/api/v1/users.setStatus`, { headers: as('admin'), body: { userId: id, status: 'sleeping' } })).status).toBe(400);

        // A status text alone fires too, with the same status.
        listener.mockClear();
        await call(`${url}/api/v1/users.setStatus`, { headers: as('admin'), body: { userId: id, message: 'at lunch' } });
        const [textOnly] = eventsOf(AppInterface.IPostUserStatusChanged);
        expect(textOnly).toMatchObject({ currentStatus: 'busy', previousStatus: 'busy', user: { id, statusText: 'at lunch' } });
        // The presence broadcast's partial user: _id, username, status, statusText, roles only.
        expect(textOnly.user).toMatchObject({
            roles: ['user', 'livechat-agent'],
            name: undefined,
            emails: undefined,
            isEnabled: undefined,
            lastLoginAt: undefined,
        });
        listener.mockClear();
        await call(`${url}/api/v1/users.setStatus`, { headers: as('admin'), body: { userId: id, status: 'busy', message: 'at lunch' } });
        expect(eventsOf(AppInterface.IPostUserStatusChanged)).toEqual([]);

        // users.update with active: the event is fired before the status is applied.
        listener.mockClear();
        const deactivated = await call(`${url}/api/v1/users.update`, {
            headers: as('admin'),
            body: { userId: id, data: { active: false, name: 'Newest Bie' } },
        });
        expect(deactivated).toMatchObject({ status: 200, body: { success: true, user: { _id: id, active: false, name: 'Newest Bie' } } });
        expect(eventsOf(AppInterface.IPostUserUpdated)).toEqual([
            {
                user: expect.objectContaining({ id, name: 'Newest Bie', isEnabled: true }),
                performedBy: expect.objectContaining({ id: 'admin' }),
                previousData: expect.objectContaining({ id, name: 'Newer Bie', isEnabled: true }),
            },
        ]);
        expect((await call(`${base}/users.list`, { headers: as(id, 'newbie-token') })).status).toBe(401);
        expect(await call(`${url}/host/login`, { headers: as('admin'), body: { userId: id } })).toMatchObject({
            status: 400,
            body: { success: false, error: 'User is deactivated [error-user-is-not-activated]' },
        });

        // users.setActiveStatus: no app event at all.
        listener.mockClear();
        const eventsBefore = host.stats()[0].events;
        const reactivated = await call(`${url}/api/v1/users.setActiveStatus`, { headers: as('admin'), body: { userId: id, activeStatus: true } });
        expect(reactivated).toEqual(expect.objectContaining({ status: 200, body: { success: true, user: { _id: id, active: true } } }));
        expect(listener).not.toHaveBeenCalled();
        expect(host.stats()[0].events).toEqual(eventsBefore);
        expect((await call(`${base}/users.list`, { headers: as(id, 'newbie-token') })).status).toBe(200);

        listener.mockClear();
        const deleted = await call(`${url}/api/v1/users.delete`, { headers: as('admin'), body: { userId: id } });
        expect(deleted).toMatchObject({ status: 200, body: { success: true } });
        expect(eventsOf(AppInterface.IPostUserDeleted)).toEqual([
            {
                // Only what Rocket.Chat's deleteUser reads of the user (username, roles, federated): no name, emails or status.
                user: expect.objectContaining({
                    id,
                    username: 'newbie',
                    roles: ['user', 'livechat-agent'],
                    name: undefined,
                    emails: undefined,
                    status: undefined,
                }),
                performedBy: expect.objectContaining({ id: 'admin', name: 'Admin', emails: [{ address: 'admin@example.com', verified: true }] }),
            },
        ]);
        expect(await find('newbie')).toEqual([]);
        expect((await call(`${url}/api/v1/users.delete`, { headers: as('admin'), body: { userId: id } })).status).toBe(400);
    });

    it('runs slash commands as the caller and lists what the app produced', async () => {
        const [command] = host.commands();
        expect(command).toBeDefined();
        const reply = await call(`${host.url}/api/v1/commands.run`, { headers: as('alice'), body: { command, params: '', roomId: 'GENERAL' } });
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual({
            success: true,
            triggerId: expect.any(String),
            messages: expect.any(Array),
            notifications: expect.any(Array),
            uiInteractions: expect.any(Array),
            uploads: expect.any(Array),
        });
        const produced = [...reply.body.messages, ...reply.body.notifications];
        expect(produced.length).toBeGreaterThan(0);
        expect(produced[0]).toMatchObject({ room: 'GENERAL', text: expect.any(String) });
        expect((await call(`${host.url}/api/v1/commands.run`, { headers: as('alice'), body: { command, roomId: 'secret' } })).status).toBe(403);
        expect((await call(`${host.url}/api/v1/commands.run`, { headers: as('alice'), body: { command: 'no-such-command', roomId: 'GENERAL' } })).status).toBe(
            400,
        );
        expect((await call(`${host.url}/api/v1/commands.run`, { body: { command, roomId: 'GENERAL' } })).status).toBe(401);
    });

    it('hands UIKit interactions to the engine as Rocket.Chat does and returns the answer', async () => {
        const before = listener.mock.calls.length;
        const reply = await call(`${host.url}/api/apps/ui.interaction/${host.appId}`, {
            headers: as('alice'),
            body: { type: 'blockAction', actionId: 'host.test.unknown', blockId: 'b', value: 'v', rid: 'GENERAL' },
        });
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ success: true, triggerId: expect.any(String), messages: expect.any(Array), notifications: expect.any(Array) });
        expect(reply.body).toHaveProperty('response');
        const [int, action] = listener.mock.calls[before] as [AppInterface, any];
        expect(int).toBe(AppInterface.IUIKitInteractionHandler);
        expect(action).toMatchObject({
            type: 'blockAction',
            appId: host.appId,
            actionId: 'host.test.unknown',
            triggerId: reply.body.triggerId,
            payload: { blockId: 'b', value: 'v' },
            user: expect.objectContaining({ id: 'alice' }),
            room: expect.objectContaining({ id: 'GENERAL' }),
        });
        expect((await call(`${host.url}/api/apps/ui.interaction/${host.appId}`, { headers: as('alice'), body: { type: 'nonsense' } })).status).toBe(400);
        expect((await call(`${host.url}/api/apps/ui.interaction/${host.appId}`, { body: { type: 'blockAction', actionId: 'a' } })).status).toBe(401);
    });

    it('counts bridge calls per method', async () => {
        host.resetBridgeCalls();
        expect(host.bridgeCalls()).toEqual({});
        await call(`${host.url}/api/v1/users.update`, { headers: as('admin'), body: { userId: 'alice', data: { name: 'Alice A.' } } });
        await call(`${base}/users.list`, { headers: as('alice') });
        const calls = host.bridgeCalls();
        expect(Object.keys(calls).every((k) => /^[A-Za-z]+Bridge\.[A-Za-z]+$/.test(k))).toBe(true);
        expect(Object.values(calls).every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    });
});

describe('stopping', () => {
    it('answers 503 until ready, leaves no Deno process behind, and runs two hosts side by side', async () => {
        // Big enough that building the app's directory takes a while: requests meanwhile get 503.
        const first = await startHost({ zipPath: appZip(), workspace: generateDemoWorkspace({ users: 5000 }), engine: testEngine() });
        const early = await call(`${first.url}/api/apps/public/${first.appId}/users.list`, { headers: as('alice') });
        expect(early).toMatchObject({ status: 503, body: { success: false, error: 'Workspace is starting' } });
        expect((await call(`${first.url}/api/info`)).status).toBe(200);
        // Each host has its own store and engines: a second one runs beside the first.
        const second = await startHost({ zipPath: appZip(), workspace: smallWorkspace(), engine: testEngine() });
        await Promise.all([first.ready, second.ready]);
        expect((await call(`${first.url}/api/apps/public/${first.appId}/users.list`, { headers: as('alice') })).body.total).toBeGreaterThan(1000);
        expect((await call(`${second.url}/api/apps/public/${second.appId}/users.list`, { headers: as('alice') })).body.total).toBeLessThan(10);
        const pid = first.denoPid()!;
        expect(isGone(pid)).toBe(false);
        await first.stop();
        expect(isGone(pid)).toBe(true);
        expect(first.denoPid()).toBeUndefined();
        await expect(fetch(`${first.url}/api/info`)).rejects.toThrow();
        expect((await call(`${second.url}/api/apps/public/${second.appId}/users.list`, { headers: as('alice') })).status).toBe(200);

        const secondPid = second.denoPid()!;
        await second.stop();
        await second.stop();
        expect(isGone(secondPid)).toBe(true);
        expect((engine.AppManager as unknown as { Instance?: unknown }).Instance).toBeUndefined();
    }, 120000);

    it('reports a broken package clearly and cleans up', async () => {
        const bad = path.join(os.tmpdir(), `not-an-app-${process.pid}.zip`);
        fs.writeFileSync(bad, 'this is not a zip');
        try {
            await expect(startHost({ zipPath: bad, workspace: smallWorkspace(), engine: testEngine() })).rejects.toThrow(/is not an installable app package/);
        } finally {
            fs.rmSync(bad, { force: true });
        }
        const again = await startHost({ zipPath: appZip(), workspace: smallWorkspace(), engine: testEngine() });
        await again.stop();
    }, 120000);
});
