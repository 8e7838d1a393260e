/// <reference types="jest" />
/**
 * The local workspace host itself: workspace parsing, the demo generator,
 * query parsing, authentication, the admin routes and the engine events they
 * fire, commands and UI interactions, 404s and a clean stop. Runs the
 * packaged app (dist/*.zip, built by `npm run package`) in the real engine.
 */
import * as fs from 'fs';
import * as path from 'path';

import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import { AppListenerManager } from '@rocket.chat/apps-engine/server/managers/AppListenerManager';

import { generateDemoWorkspace, parseWorkspace, RunningHost, startHost, Workspace } from '../../host';
import { parseQuery } from '../../host/http';
import { parseParameters } from '../../host/host';
import { nextRun, parseInterval, parseWhen } from '../../host/schedule';

function appZip(): string {
    const dist = path.resolve(__dirname, '..', '..', 'dist');
    const zip = fs.existsSync(dist) ? fs.readdirSync(dist).find((name) => name.endsWith('.zip')) : undefined;
    if (!zip) throw new Error('No app zip in dist/: run `npm run package` first');
    return path.join(dist, zip);
}

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

describe('parseWorkspace', () => {
    const ok = () => ({
        users: [
            { _id: 'u1', username: 'alice', lastLogin: '2024-04-24T17:47:50.485Z', roles: ['user'], customFields: { clearance: 'High' } },
            { _id: 'u2', username: 'bob' },
        ],
        rooms: [{ _id: 'GENERAL', name: 'general', t: 'c', members: ['u1'] }],
    });

    it('accepts the documented shape and normalizes dates', () => {
        const ws = ok() as any;
        ws.users[1].createdAt = { $date: '2023-01-01T00:00:00Z' };
        const parsed = parseWorkspace(ws);
        expect(parsed.users).toHaveLength(2);
        expect(parsed.users[1].createdAt).toBe('2023-01-01T00:00:00.000Z');
        expect(parsed.rooms[0].members).toEqual(['u1']);
        expect(parseWorkspace({ users: [] })).toEqual({ users: [], rooms: [] });
    });

    it.each([
        ['not an object', [], /JSON object/],
        ['users missing', { rooms: [] }, /"users" must be an array/],
        ['username not a string', { users: [{ _id: 'a', username: 'a' }, { _id: 'b', username: 'b' }, { _id: 'c', username: 'c' }, { _id: 'd', username: 3 }] }, /^users\[3\]\.username must be a non-empty string, got a number \(3\)$/],
        ['missing _id', { users: [{ username: 'x' }] }, /^users\[0\]\._id must be a non-empty string/],
        ['duplicate _id', { users: [{ _id: 'a', username: 'x' }, { _id: 'a', username: 'y' }] }, /^users\[1\]\._id "a" duplicates users\[0\]\._id$/],
        ['duplicate username, ignoring case', { users: [{ _id: 'a', username: 'Alice' }, { _id: 'b', username: 'alice' }] }, /^users\[1\]\.username "alice" duplicates users\[0\]\.username "Alice"/],
        ['bad date', { users: [{ _id: 'a', username: 'x', lastLogin: 'yesterday' }] }, /^users\[0\]\.lastLogin must be an ISO date string/],
        ['roles not strings', { users: [{ _id: 'a', username: 'x', roles: ['user', 1] }] }, /^users\[0\]\.roles\[1\] must be a string/],
        ['emails malformed', { users: [{ _id: 'a', username: 'x', emails: [{ verified: true }] }] }, /^users\[0\]\.emails\[0\]\.address must be a string/],
        ['active not boolean', { users: [{ _id: 'a', username: 'x', active: 'yes' }] }, /^users\[0\]\.active must be a boolean/],
        ['customFields not an object', { users: [{ _id: 'a', username: 'x', customFields: [] }] }, /^users\[0\]\.customFields must be an object, got an array/],
        ['bad room type', { users: [], rooms: [{ _id: 'r', t: 'x', members: [] }] }, /^rooms\[0\]\.t must be "c"/],
        ['member that is no user', { users: [{ _id: 'a', username: 'x' }], rooms: [{ _id: 'r', t: 'c', members: ['a', 'ghost'] }] }, /^rooms\[0\]\.members\[1\] "ghost" is not the _id of any user$/],
        ['member listed twice', { users: [{ _id: 'a', username: 'x' }], rooms: [{ _id: 'r', t: 'c', members: ['a', 'a'] }] }, /^rooms\[0\]\.members\[1\] "a" is listed twice$/],
        ['duplicate room', { users: [], rooms: [{ _id: 'r', t: 'c', members: [] }, { _id: 'r', t: 'p', members: [] }] }, /^rooms\[1\]\._id "r" duplicates rooms\[0\]\._id$/],
    ])('rejects %s with a message naming the problem', (_name, input, message) => {
        expect(() => parseWorkspace(input)).toThrow(message);
    });
});

describe('generateDemoWorkspace', () => {
    it('is deterministic, valid, and has the well-known accounts and kinds of users', () => {
        const a = generateDemoWorkspace();
        expect(JSON.stringify(generateDemoWorkspace())).toBe(JSON.stringify(a));
        expect(JSON.stringify(generateDemoWorkspace({ seed: 2 }))).not.toBe(JSON.stringify(a));
        expect(() => parseWorkspace(JSON.parse(JSON.stringify(a)))).not.toThrow();
        expect(a.users.length).toBeGreaterThanOrEqual(1000);
        const byId = new Map(a.users.map((u) => [u._id, u]));
        expect(byId.get('admin')).toMatchObject({ username: 'admin', authToken: 'admin-token', roles: expect.arrayContaining(['admin']) });
        expect(byId.get('alice')).toMatchObject({ authToken: 'alice-token', roles: ['user'] });
        expect(byId.get('manager')).toMatchObject({ authToken: 'manager-token', roles: expect.arrayContaining(['livechat-manager']) });
        expect(byId.get('agent')).toMatchObject({ authToken: 'agent-token', roles: expect.arrayContaining(['livechat-agent']) });
        expect(a.users.some((u) => u.type === 'bot')).toBe(true);
        expect(a.users.some((u) => u.type === 'app')).toBe(true);
        expect(a.users.some((u) => u.active === false)).toBe(true);
        expect(a.users.some((u) => u.type === 'user' && !u.lastLogin)).toBe(true);
        expect(a.users.some((u) => u.customFields?.clearance === 'High')).toBe(true);
        const inRooms = new Set(a.rooms.flatMap((r) => r.members));
        const outside = a.users.filter((u) => !inRooms.has(u._id));
        expect(outside.length).toBeGreaterThan(0);
        expect(outside.length).toBeLessThanOrEqual(5);
        expect(a.rooms.some((r) => r.t === 'p')).toBe(true);
        expect(a.rooms.filter((r) => r.t === 'd').length).toBeGreaterThan(100);
    });

    it('scales to 100,000 users in a few seconds', () => {
        const started = Date.now();
        const big = generateDemoWorkspace({ users: 100000 });
        expect(big.users).toHaveLength(100000);
        expect(big.rooms.find((r) => r._id === 'GENERAL')!.members.length).toBeGreaterThan(99000);
        expect(Date.now() - started).toBeLessThan(15000);
    }, 30000);
});

describe('query and argument parsing', () => {
    it('parses query strings as Express does', () => {
        expect(parseQuery('roles[]=a&roles[]=b')).toEqual({ roles: ['a', 'b'] });
        expect(parseQuery('roles=a&roles=b')).toEqual({ roles: ['a', 'b'] });
        expect(parseQuery('roles=a')).toEqual({ roles: 'a' });
        expect(parseQuery('sort=%7B%22name%22%3A1%7D&count=5')).toEqual({ sort: '{"name":1}', count: '5' });
        expect(parseQuery('a[b]=1')).toEqual({ a: { b: '1' } });
    });

    it('splits slash command parameters as Rocket.Chat does', () => {
        expect(parseParameters('')).toEqual([]);
        expect(parseParameters('  a  b ')).toEqual(['a', 'b']);
        expect(parseParameters('role:admin "John Smith" x')).toEqual(['role:admin', 'John Smith', 'x']);
    });
});

describe('scheduler time expressions', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    it('understands the "when" of one-time jobs', () => {
        expect(parseWhen('in 5 seconds', now)).toBe(now + 5000);
        expect(parseWhen('2 minutes', now)).toBe(now + 120000);
        expect(parseWhen(new Date(now + 1))).toBe(now + 1);
        expect(parseWhen('2025-01-02T00:00:00Z', now)).toBe(Date.UTC(2025, 0, 2));
        expect(() => parseWhen('whenever', now)).toThrow(/Invalid "when"/);
    });
    it('understands the intervals of recurring jobs: milliseconds, human intervals and cron', () => {
        expect(nextRun(parseInterval(1500), now)).toBe(now + 1500);
        expect(nextRun(parseInterval('1 hour and 30 minutes'), now)).toBe(now + 5400000);
        const every5 = parseInterval('*/5 * * * *');
        const next = nextRun(every5, now + 61000);
        expect(new Date(next).getMinutes() % 5).toBe(0);
        expect(new Date(next).getSeconds()).toBe(0);
        expect(next - (now + 61000)).toBeLessThanOrEqual(5 * 60000);
        expect(() => parseInterval('sometimes')).toThrow(/Invalid interval/);
    });
});

function smallWorkspace(): Workspace {
    return {
        users: [
            { _id: 'admin', username: 'admin', name: 'Admin', roles: ['admin', 'user'], active: true, type: 'user', status: 'online', authToken: 'admin-token', emails: [{ address: 'admin@example.com', verified: true }] },
            { _id: 'alice', username: 'alice', name: 'Alice', roles: ['user'], active: true, type: 'user', status: 'online', authToken: 'alice-token', lastLogin: '2024-04-24T17:47:50.485Z' },
            { _id: 'bob', username: 'bob', name: 'Bob', roles: ['user'], active: false, type: 'user', status: 'offline', authToken: 'bob-token' },
            { _id: 'carol', username: 'carol', name: 'Carol', roles: ['user', 'livechat-agent'], active: true, type: 'user', status: 'away' },
            { _id: 'dave', username: 'dave', name: 'Dave', roles: ['user', 'livechat-manager'], active: true, type: 'user', status: 'busy', customFields: { clearance: 'High' } },
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
        host = await startHost({ zipPath: appZip(), workspace: smallWorkspace(), port: 0 });
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
        expect(beforeReady.status === 503 ? beforeReady.body : { success: false, error: 'Workspace is starting' }).toEqual({ success: false, error: 'Workspace is starting' });
        const info = await call(`${host.url}/api/info`);
        expect(info).toMatchObject({ status: 200, body: { version: host.appVersion, success: true } });
        expect(host.appId).toMatch(/^[0-9a-f-]{36}$/);
        expect(host.denoPid()).toEqual(expect.any(Number));
    });

    it('resolves the caller from X-User-Id and X-Auth-Token', async () => {
        expect((await call(`${base}/users.list`, { headers: as('alice') })).status).toBe(200);
        for (const headers of [{} as Record<string, string>, as('alice', 'wrong'), as('alice', 'admin-token'), as('bob'), as('carol', ''), { 'X-User-Id': 'alice' }]) {
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

    it('requires an admin for the admin routes', async () => {
        const body = { email: 'x@example.com', name: 'X', password: 'p', username: 'x' };
        expect(await call(`${host.url}/api/v1/users.create`, { body, headers: as('alice') })).toMatchObject({
            status: 403,
            body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
        });
        expect((await call(`${host.url}/api/v1/users.create`, { body })).status).toBe(401);
        expect(await call(`${host.url}/api/v1/users.create`, { body: { name: 'X' }, headers: as('admin') })).toMatchObject({ status: 400, body: { success: false } });
        expect(await call(`${host.url}/api/v1/users.delete`, { body: '{not json', headers: as('admin') })).toMatchObject({ status: 400, body: { success: false } });
    });

    it('creates, updates, (de)activates, logs in, sets the status of and deletes a user, firing the engine events', async () => {
        const url = host.url;
        const find = async (term: string) =>
            (await call(`${base}/users.listByStatus?searchTerm=${term}`, { headers: as('admin') })).body.users as Array<Record<string, any>>;
        listener.mockClear();

        const created = await call(`${url}/api/v1/users.create`, {
            headers: as('admin'),
            body: { email: 'newbie@example.com', name: 'New Bie', password: 'secret', username: 'newbie', roles: ['user', 'livechat-agent'], authToken: 'newbie-token' },
        });
        expect(created.status).toBe(200);
        expect(created.body).toMatchObject({ success: true, user: { username: 'newbie', name: 'New Bie', active: true, roles: ['user', 'livechat-agent'], emails: [{ address: 'newbie@example.com', verified: false }] } });
        expect(created.body.user.authToken).toBeUndefined();
        const id = created.body.user._id as string;
        expect(eventsOf(AppInterface.IPostUserCreated)).toEqual([
            { user: expect.objectContaining({ id, username: 'newbie', isEnabled: true, type: 'user', createdAt: expect.any(Date) }), performedBy: expect.objectContaining({ id: 'admin' }) },
        ]);
        expect(await find('newbie')).toEqual([expect.objectContaining({ _id: id, active: true })]);
        expect((await call(`${base}/users.list`, { headers: as(id, 'newbie-token') })).status).toBe(200);

        const updated = await call(`${url}/api/v1/users.update`, { headers: as('admin'), body: { userId: id, data: { name: 'Newer Bie', customFields: { clearance: 'Low' } } } });
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
        expect(eventsOf(AppInterface.IPostUserLoggedIn)).toEqual([expect.objectContaining({ id, lastLoginAt: expect.any(Date) })]);
        expect((await find('newbie'))[0].lastLogin).toBe(login.body.user.lastLogin);

        listener.mockClear();
        const status = await call(`${url}/api/v1/users.setStatus`, { headers: as('admin'), body: { userId: id, status: 'busy' } });
        expect(status).toMatchObject({ status: 200, body: { success: true } });
        expect(eventsOf(AppInterface.IPostUserStatusChanged)).toEqual([
            { user: expect.objectContaining({ id, username: 'newbie', status: 'busy' }), currentStatus: 'busy', previousStatus: 'offline' },
        ]);
        expect((await find('newbie'))[0].status).toBe('busy');
        expect((await call(`${url}/api/v1/users.setStatus`, { headers: as('admin'), body: { userId: id, status: 'sleeping' } })).status).toBe(400);

        listener.mockClear();
        const deactivated = await call(`${url}/api/v1/users.setActiveStatus`, { headers: as('admin'), body: { userId: id, activeStatus: false } });
        expect(deactivated).toMatchObject({ status: 200, body: { success: true, user: { _id: id, active: false } } });
        expect(eventsOf(AppInterface.IPostUserUpdated)).toEqual([
            expect.objectContaining({ user: expect.objectContaining({ id, isEnabled: false }), previousData: expect.objectContaining({ isEnabled: true }) }),
        ]);
        expect((await find('newbie'))[0].active).toBe(false);
        expect((await call(`${base}/users.list`, { headers: as(id, 'newbie-token') })).status).toBe(401);

        listener.mockClear();
        const deleted = await call(`${url}/api/v1/users.delete`, { headers: as('admin'), body: { userId: id } });
        expect(deleted).toMatchObject({ status: 200, body: { success: true } });
        expect(eventsOf(AppInterface.IPostUserDeleted)).toEqual([{ user: expect.objectContaining({ id, username: 'newbie' }), performedBy: expect.objectContaining({ id: 'admin' }) }]);
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
        expect((await call(`${host.url}/api/v1/commands.run`, { headers: as('alice'), body: { command: 'no-such-command', roomId: 'GENERAL' } })).status).toBe(400);
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
    it('answers 503 until ready, leaves no Deno process behind, and lets a second host run in the same process', async () => {
        // Big enough that building the app's directory takes a while: requests meanwhile get 503.
        const first = await startHost({ zipPath: appZip(), workspace: generateDemoWorkspace({ users: 5000 }) });
        const early = await call(`${first.url}/api/apps/public/${first.appId}/users.list`, { headers: as('alice') });
        expect(early).toMatchObject({ status: 503, body: { success: false, error: 'Workspace is starting' } });
        expect((await call(`${first.url}/api/info`)).status).toBe(200);
        await expect(startHost({ zipPath: appZip(), workspace: smallWorkspace() })).rejects.toThrow(/Another local workspace host/);
        await first.ready;
        expect((await call(`${first.url}/api/apps/public/${first.appId}/users.list`, { headers: as('alice') })).status).toBe(200);
        const pid = first.denoPid()!;
        expect(isGone(pid)).toBe(false);
        await first.stop();
        expect(isGone(pid)).toBe(true);
        expect(first.denoPid()).toBeUndefined();
        await expect(fetch(`${first.url}/api/info`)).rejects.toThrow();
        expect((AppManager as unknown as { Instance?: unknown }).Instance).toBeUndefined();

        const second = await startHost({ zipPath: appZip(), workspace: smallWorkspace() });
        await second.ready;
        expect((await call(`${second.url}/api/apps/public/${second.appId}/users.list`, { headers: as('alice') })).status).toBe(200);
        const secondPid = second.denoPid()!;
        await second.stop();
        await second.stop();
        expect(isGone(secondPid)).toBe(true);
    }, 120000);

    it('reports a broken package clearly and cleans up', async () => {
        const bad = path.join(require('os').tmpdir(), `not-an-app-${process.pid}.zip`);
        fs.writeFileSync(bad, 'this is not a zip');
        try {
            await expect(startHost({ zipPath: bad, workspace: smallWorkspace() })).rejects.toThrow();
        } finally {
            fs.rmSync(bad, { force: true });
        }
        const again = await startHost({ zipPath: appZip(), workspace: smallWorkspace() });
        await again.stop();
    }, 120000);
});
