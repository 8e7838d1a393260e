/// <reference types="jest" />
/**
 * The packaged app installed in the real Apps-Engine runtime, called over HTTP
 * as a Rocket.Chat client calls it.
 */
import { smallWorkspace } from './fixtures';
import { useHost } from './support';

jest.setTimeout(60_000);

const client = useHost(smallWorkspace);

const LOGIN_REQUIRED = { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' };
const usernames = (body: { users: Array<{ username: string }> }) => body.users.map((u) => u.username);

describe('users.list', () => {
    it('answers an anonymous caller with the documented 401 body', async () => {
        const reply = await client().get('users.list');
        expect(reply).toEqual({ status: 401, body: LOGIN_REQUIRED });
    });

    it('refuses wrong credentials as anonymous', async () => {
        const reply = await client().raw(`${client().appBase}/users.list`, { headers: { 'X-User-Id': 'alice', 'X-Auth-Token': 'wrong' } });
        expect(reply).toEqual({ status: 401, body: LOGIN_REQUIRED });
    });

    it('lists users for an ordinary user with the ordinary projection, sorted by username in binary order', async () => {
        const { status, body } = await client().get('users.list', 'alice');
        expect(status).toBe(200);
        // The app user joins the directory on install; `lonely` is in no room and was never met.
        expect(usernames(body)).toEqual([
            'Zed',
            'admin',
            'agent1',
            'agent2',
            'alice',
            'bob',
            'ciel',
            'dialog.bot',
            'guest',
            'manager',
            'norole',
            'user-directory.bot',
        ]);
        expect(body).toMatchObject({ count: 12, offset: 0, total: 12, success: true });
        expect(body.users[4]).toEqual({
            _id: 'alice',
            username: 'alice',
            type: 'user',
            status: 'online',
            active: true,
            name: 'Alice A.',
            nameInsensitive: 'alice a.',
        });
    });

    it('gives an admin emails, roles and lastLogin', async () => {
        const { body } = await client().get('users.list', 'admin', { query: { username: 'alice' } });
        expect(body.users).toEqual([
            {
                _id: 'alice',
                username: 'alice',
                emails: [{ address: 'alice@example.com', verified: true }],
                type: 'user',
                roles: ['user'],
                status: 'online',
                active: true,
                name: 'Alice A.',
                lastLogin: '2024-04-02T17:47:50.485Z',
                nameInsensitive: 'alice a.',
            },
        ]);
    });

    it('runs the documentation examples: $regex on name, and customFields for an admin', async () => {
        const regex = await client().get('users.list', 'alice', { query: { name: { $regex: 'g' } } });
        expect(usernames(regex.body)).toEqual(['agent1', 'agent2', 'dialog.bot', 'manager']);

        const custom = await client().get('users.list', 'admin', { query: { 'customFields.clearance': 'High' }, fields: { customFields: 1 } });
        expect(custom.body.users).toEqual([
            expect.objectContaining({ _id: 'ciel', customFields: { clearance: 'High', team: 'Queen' }, nameInsensitive: 'ciel' }),
        ]);
        expect(custom.body.total).toBe(1);
    });

    it('refuses a field an ordinary user may not see, in query and fields', async () => {
        const query = await client().get('users.list', 'alice', { query: { 'emails.address': 'alice@example.com' } });
        expect(query).toEqual({
            status: 400,
            body: {
                success: false,
                error: 'Invalid attribute: emails.address [error-invalid-query]',
                errorType: 'error-invalid-query',
                details: { helperMethod: 'parseJsonQuery' },
            },
        });
        const fields = await client().get('users.list', 'alice', { fields: { emails: 1, customFields: 1, utcOffset: 1 }, query: { username: 'alice' } });
        expect(fields.body.users[0]).not.toHaveProperty('emails');
        expect(fields.body.users[0]).not.toHaveProperty('customFields');
        expect(fields.body.users[0].utcOffset).toBe(2);
    });

    it('refuses code and bad sorts with the documented bodies', async () => {
        const where = await client().get('users.list', 'admin', { query: { $where: 'sleep(1000)' } });
        expect(where.body.error).toBe('Invalid operation: $where [error-invalid-query]');
        const sort = await client().get('users.list', 'admin', { sort: '{"name":"asc"}' });
        expect(sort).toEqual({
            status: 400,
            body: {
                success: false,
                error: 'Invalid sort parameter provided: "{"name":"asc"}" [error-invalid-sort]',
                errorType: 'error-invalid-sort',
                details: { helperMethod: 'parseJsonQuery' },
            },
        });
    });

    it('pages without overlap or gap and keeps the total', async () => {
        const seen: string[] = [];
        for (let offset = 0; offset < 12; offset += 5) {
            const { body } = await client().get('users.list', 'alice', { count: '5', offset: String(offset), sort: { status: -1 } });
            expect(body.total).toBe(12);
            expect(body.offset).toBe(offset);
            seen.push(...body.users.map((u: { _id: string }) => u._id));
        }
        expect(seen).toHaveLength(12);
        expect(new Set(seen).size).toBe(12);
    });
});

describe('users.listByStatus', () => {
    it('filters by status, login, type, roles[] and a literal search term', async () => {
        const { body } = await client().get('users.listByStatus', 'admin', {
            status: 'active',
            hasLoggedIn: 'true',
            roles: ['livechat-agent', 'admin'],
            searchTerm: 'A',
        });
        expect(usernames(body)).toEqual(['admin', 'agent1']);
        expect(body.users[0]).toEqual({
            _id: 'admin',
            username: 'admin',
            emails: [{ address: 'ada@example.com', verified: true }],
            type: 'user',
            roles: ['user', 'admin'],
            status: 'online',
            active: true,
            name: 'Ada Admin',
            lastLogin: '2024-04-01T17:47:50.485Z',
        });

        const deactivated = await client().get('users.listByStatus', 'alice', { status: 'deactivated' });
        expect(usernames(deactivated.body)).toEqual(['bob']);

        const bots = await client().get('users.listByStatus', 'alice', { type: 'bot' });
        expect(usernames(bots.body)).toEqual(['dialog.bot']);

        const neverLoggedIn = await client().get('users.listByStatus', 'alice', { hasLoggedIn: 'false', roles: ['user'] });
        expect(usernames(neverLoggedIn.body)).toEqual(['agent2', 'bob']);
    });

    it('matches emails in searchTerm only for callers with view-full-other-user-info', async () => {
        const admin = await client().get('users.listByStatus', 'admin', { searchTerm: 'example.org' });
        expect(usernames(admin.body)).toEqual(['bob']);
        const alice = await client().get('users.listByStatus', 'alice', { searchTerm: 'example.org' });
        expect(alice.body.total).toBe(0);
    });

    it('is strict about its parameters', async () => {
        const extra = await client().get('users.listByStatus', 'alice', { fields: { name: 1 } });
        expect(extra).toEqual({
            status: 400,
            body: { success: false, error: 'must NOT have additional properties [invalid-params]', errorType: 'invalid-params' },
        });
        const all = await client().get('users.listByStatus', 'alice', { status: 'all' });
        expect(all.body.error).toBe('must be equal to one of the allowed values [invalid-params]');
        const plainRole = await client().raw(`${client().appBase}/users.listByStatus?roles=admin`, {
            headers: { 'X-User-Id': 'alice', 'X-Auth-Token': 'alice-token' },
        });
        expect(plainRole.body.error).toBe('must be array [invalid-params]');
        const repeated = await client().raw(`${client().appBase}/users.listByStatus?roles=admin&roles=bot`, {
            headers: { 'X-User-Id': 'alice', 'X-Auth-Token': 'alice-token' },
        });
        expect(usernames(repeated.body)).toEqual(['admin', 'dialog.bot']);
    });

    it('checks authentication, then permission, then parameters', async () => {
        const anonymous = await client().get('users.listByStatus', undefined, { status: 'all' });
        expect(anonymous).toEqual({ status: 401, body: LOGIN_REQUIRED });
        const noRole = await client().get('users.listByStatus', 'norole', { status: 'all' });
        expect(noRole).toEqual({
            status: 403,
            body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
        });
        // Guests hold view-d-room by default, so their bad parameter is what they hear about.
        const guest = await client().get('users.listByStatus', 'guest', { status: 'all' });
        expect(guest.status).toBe(400);
    });
});

describe('livechat/users/:type', () => {
    it('lists agents for a livechat manager with the exact row shape, deactivated included', async () => {
        const { status, body } = await client().get('livechat/users/agent', 'manager');
        expect(status).toBe(200);
        expect(body.users.map((u: { name: string }) => u.name)).toEqual(['Agent 1', 'Agent 2', 'Dialog Bot']);
        expect(body.users[2]).toEqual({
            _id: 'dialog.bot',
            username: 'dialog.bot',
            status: 'offline',
            statusLivechat: null,
            name: 'Dialog Bot',
            emails: [{ address: 'dialog.bot@example.com', verified: true }],
            livechat: null,
            departments: [],
        });
    });

    it('hides idle agents but keeps bots, and excludes by id', async () => {
        const { body } = await client().get('livechat/users/agent', 'manager', { showIdleAgents: 'false', excludeId: 'agent1' });
        expect(usernames(body)).toEqual(['dialog.bot']);
    });

    it('lists managers and filters by text', async () => {
        const { body } = await client().get('livechat/users/manager', 'admin', { text: 'MONA@' });
        expect(usernames(body)).toEqual(['manager']);
    });

    it('answers in its own order: 401, type, parameters, permission', async () => {
        expect((await client().get('livechat/users/agent')).status).toBe(401);
        expect((await client().get('livechat/users/visitor')).status).toBe(401);
        expect(await client().get('livechat/users/visitor', 'alice')).toEqual({ status: 400, body: { success: false, error: 'Invalid type' } });
        expect((await client().get('livechat/users/agent', 'alice', { sort: '[1]' })).body.errorType).toBe('error-invalid-sort');
        expect(await client().get('livechat/users/agent', 'alice')).toEqual({ status: 403, body: { success: false, error: 'unauthorized' } });
        expect(await client().get('livechat/users/manager', 'agent1')).toEqual({ status: 403, body: { success: false, error: 'unauthorized' } });
        // Agents hold edit-omnichannel-contact, so they may list agents.
        expect((await client().get('livechat/users/agent', 'agent1')).status).toBe(200);
    });

    it('says plainly that onlyAvailable=true cannot be answered', async () => {
        const { status, body } = await client().get('livechat/users/agent', 'manager', { onlyAvailable: 'true' });
        expect(status).toBe(400);
        expect(body.errorType).toBe('invalid-params');
        expect(body.error).toMatch(/livechat status/);
    });
});

describe('directory.info', () => {
    it('reports the directory to admins only', async () => {
        const { status, body } = await client().get('directory.info', 'admin');
        expect(status).toBe(200);
        expect(body).toMatchObject({ success: true, version: '1.0.0', ready: true, users: 12 });
        expect(body.lastBuild.rooms).toBe(3);
        // The app user, one page of rooms, the members of the two channels; the direct
        // room is skipped because both its members were met in a channel.
        expect(body.lastBuild.bridgeCalls).toBe(1 + 1 + 2);
        expect(await client().get('directory.info', 'alice')).toEqual({ status: 403, body: { success: false, error: 'unauthorized' } });
    });
});

describe('a user met in a request', () => {
    it('joins the directory even when in no room', async () => {
        const before = await client().get('users.list', 'admin', { query: { username: 'lonely' } });
        expect(before.body.total).toBe(0);
        await client().get('users.list', 'lonely');
        const after = await client().get('users.list', 'admin', { query: { username: 'lonely' } });
        expect(usernames(after.body)).toEqual(['lonely']);
    });
});
