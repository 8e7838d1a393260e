/// <reference types="jest" />
/**
 * Requests as Rocket.Chat's own clients send them: the admin Users page's
 * tabs (its REST client writes arrays as `key[]=`), HEAD and OPTIONS, a
 * mixed-case livechat type, and the apps settings route with values of the
 * wrong type.
 */
import type { WorkspaceUser } from '../../host';
import { smallWorkspace } from './fixtures';
import { Client, useHost } from './support';

jest.setTimeout(60_000);

/** The small workspace, plus a deactivated user who had logged in before. */
function workspace() {
    const base = smallWorkspace();
    const gone: WorkspaceUser = {
        _id: 'gone',
        username: 'gone',
        name: 'Gone G.',
        type: 'user',
        roles: ['user'],
        active: false,
        status: 'offline',
        lastLogin: '2024-03-01T09:00:00.000Z',
        createdAt: '2023-01-01T00:00:00.000Z',
    };
    base.users.push(gone);
    base.rooms.find((room) => room._id === 'GENERAL')!.members.push('gone');
    return base;
}

const client = useHost(workspace);
const admin = Client.as('admin');
const usernames = (body: { users: Array<{ username: string }> }) => body.users.map((u) => u.username);
const INVALID_VALUE = { success: false, error: 'must be equal to one of the allowed values [invalid-params]', errorType: 'invalid-params' };

describe("the admin Users page's tabs (Rocket.Chat 8)", () => {
    // What its useFilteredUsers hook sends, as its REST client writes it (keys sorted, roles [] left out).
    const tab = (reasons: string) => `count=25&${reasons}&offset=0&searchTerm=&sort=%7B%20%22name%22%3A%201%20%7D&status=deactivated`;
    const listByStatus = (search: string) => client().raw(`${client().appBase}/users.listByStatus?${search}`, { headers: admin });

    it('Pending lists the deactivated users who never logged in', async () => {
        const { status, body } = await listByStatus(`${tab('inactiveReason[]=pending_approval')}&type=user`);
        expect(status).toBe(200);
        expect(usernames(body)).toEqual(['bob']);
        expect(body).toMatchObject({ count: 1, offset: 0, total: 1, success: true });
    });

    it('Deactivated lists the deactivated users who did', async () => {
        const { status, body } = await listByStatus(tab('inactiveReason[]=deactivated&inactiveReason[]=idle_too_long'));
        expect(status).toBe(200);
        expect(usernames(body)).toEqual(['gone']);
    });

    it('a reason Rocket.Chat does not know is the documented 400', async () => {
        expect(await listByStatus(tab('inactiveReason[]=banned'))).toEqual({ status: 400, body: INVALID_VALUE });
        expect(await listByStatus(tab('inactiveReason[]=Pending_Approval'))).toEqual({ status: 400, body: INVALID_VALUE });
    });
});

describe('HEAD and OPTIONS on every endpoint', () => {
    const paths = ['users.list', 'users.listByStatus', 'livechat/users/agent', 'livechat/users/manager', 'directory.info'];
    const ALLOW = 'GET, HEAD, OPTIONS';

    it.each(paths)('HEAD %s answers as GET, without the body', async (path) => {
        const url = `${client().appBase}/${path}`;
        const get = await fetch(url, { headers: admin });
        const getBody = await get.text();
        const head = await fetch(url, { method: 'HEAD', headers: admin });
        expect(head.status).toBe(get.status);
        expect(await head.text()).toBe('');
        expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
        // directory.info's ageMs moves between the two requests: its length may differ by a digit.
        if (path === 'directory.info') {
            expect(Math.abs(Number(head.headers.get('content-length')) - Buffer.byteLength(getBody))).toBeLessThanOrEqual(2);
        } else {
            expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(getBody)));
            expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
        }
    });

    it('HEAD without credentials is the 401 a GET gets', async () => {
        const head = await fetch(`${client().appBase}/users.list`, { method: 'HEAD' });
        expect(head.status).toBe(401);
        expect(await head.text()).toBe('');
    });

    it.each(paths)('OPTIONS %s says what is allowed, to anyone', async (path) => {
        const options = await fetch(`${client().appBase}/${path}`, { method: 'OPTIONS' });
        expect(options.status).toBe(204);
        expect(options.headers.get('allow')).toBe(ALLOW);
        expect(await options.text()).toBe('');
    });

    it('another method is a 405 with the same Allow', async () => {
        const reply = await fetch(`${client().appBase}/users.list`, { method: 'PUT', headers: admin });
        expect(reply.status).toBe(405);
        expect(reply.headers.get('allow')).toBe(ALLOW);
    });
});

describe('livechat/users/{type} with a type in another case', () => {
    const INVALID_TYPE = { status: 400, body: { success: false, error: 'Invalid type' } };

    it('is Invalid type, as any type but agent and manager, after the 401 and before the parameters and permission', async () => {
        expect((await client().get('livechat/users/Manager')).status).toBe(401);
        expect(await client().get('livechat/users/Manager', 'manager')).toEqual(INVALID_TYPE);
        expect(await client().get('livechat/users/AGENT', 'admin')).toEqual(INVALID_TYPE);
        expect(await client().get('livechat/users/Manager', 'alice', { sort: '[1]', foo: 'bar' })).toEqual(INVALID_TYPE);
    });

    it('leaves the real types as they were, a trailing slash included', async () => {
        expect(usernames((await client().get('livechat/users/manager', 'manager')).body)).toEqual(['manager']);
        expect(usernames((await client().get('livechat/users/manager/', 'manager')).body)).toEqual(['manager']);
        expect(usernames((await client().get('livechat/users/agent', 'manager')).body)).toEqual(['agent1', 'agent2', 'dialog.bot']);
    });
});

describe('the apps settings route checks the type of each value', () => {
    const settingsUrl = () => `${client().url}/api/apps/${client().host.appId}/settings`;
    const post = (settings: unknown) =>
        client().raw(settingsUrl(), { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ settings }) });
    const current = async () => (await client().raw(settingsUrl(), { headers: admin })).body.settings as Record<string, { value?: unknown }>;
    const refused = (id: string, problem: string) => ({
        status: 400,
        body: { success: false, error: `Invalid value for setting "${id}": ${problem}`, errorType: 'error-invalid-setting-value' },
    });

    it('refuses "abc" for a number, and keeps the value', async () => {
        const before = await current();
        expect(await post([{ id: 'api_default_count', value: 'abc' }])).toEqual(refused('api_default_count', 'expected a number, got "abc"'));
        expect((await current()).api_default_count).toEqual(before.api_default_count);
        expect((await client().get('users.list', 'alice')).body).toMatchObject({ count: 13, total: 13 });
    });

    it('refuses the text of a boolean and a number for a string', async () => {
        expect(await post([{ id: 'api_allow_infinite_count', value: 'false' }])).toEqual(
            refused('api_allow_infinite_count', 'expected true or false, got "false"'),
        );
        expect(await post([{ id: 'permission_view-d-room', value: 7 }])).toEqual(refused('permission_view-d-room', 'expected a string, got 7'));
    });

    it('changes nothing in a batch with one bad value, and everything once all are good', async () => {
        const before = await current();
        const batch = (count: unknown) => [
            { id: 'api_upper_count_limit', value: 5 },
            { id: 'api_default_count', value: count },
        ];
        expect(await post(batch(null))).toEqual(refused('api_default_count', 'expected a number, got null'));
        expect(await current()).toEqual(before);
        expect(await post(batch(3))).toEqual({ status: 200, body: { updated: batch(3), success: true } });
        expect((await client().get('users.list', 'alice')).body).toMatchObject({ count: 3, total: 13 });
        await post([
            { id: 'api_upper_count_limit', value: 100 },
            { id: 'api_default_count', value: 50 },
        ]);
    });
});
