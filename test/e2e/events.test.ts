/// <reference types="jest" />
/**
 * Admin actions in the workspace fire the engine's user events as
 * Rocket.Chat does; the app's answers reflect them.
 */
import { smallWorkspace } from './fixtures';
import { eventually, useHost } from './support';

jest.setTimeout(60_000);

const client = useHost(smallWorkspace);

async function findUser(username: string) {
    const { body } = await client().get('users.list', 'admin', { query: { username } });
    return body.users[0];
}

it('a created user is listed at once', async () => {
    const created = await client().post(
        '/api/v1/users.create',
        { username: 'newcomer', name: 'New Comer', email: 'new@example.com', password: 'secret-pass', roles: ['user', 'livechat-agent'] },
        'admin',
    );
    expect(created.status).toBe(200);
    expect(created.body.success).toBe(true);
    const id = created.body.user._id;

    expect(await findUser('newcomer')).toMatchObject({ _id: id, name: 'New Comer', active: true, emails: [{ address: 'new@example.com' }] });
    const agents = await client().get('livechat/users/agent', 'admin', { text: 'newcomer' });
    expect(agents.body.users.map((u: { _id: string }) => u._id)).toEqual([id]);
});

it('an update, a presence change and a login are reflected at once', async () => {
    expect((await client().post('/api/v1/users.update', { userId: 'alice', data: { name: 'Alice Renamed' } }, 'admin')).status).toBe(200);
    expect(await findUser('alice')).toMatchObject({ name: 'Alice Renamed', nameInsensitive: 'alice renamed' });

    expect((await client().post('/api/v1/users.setStatus', { userId: 'agent2', status: 'away' }, 'admin')).status).toBe(200);
    // The presence event carries only part of the user: the rest of the record stays.
    expect(await findUser('agent2')).toMatchObject({
        status: 'away',
        active: true,
        roles: ['user', 'livechat-agent'],
        emails: [{ address: 'agent2@example.com' }],
    });
    const awake = await client().get('livechat/users/agent', 'admin', { showIdleAgents: 'false' });
    expect(awake.body.users.map((u: { username: string }) => u.username)).toContain('agent2');

    const before = await client().get('users.listByStatus', 'admin', { hasLoggedIn: 'false', searchTerm: 'guest' });
    expect(before.body.total).toBe(1);
    expect((await client().post('/host/login', { userId: 'guest' }, 'admin')).status).toBe(200);
    const after = await client().get('users.listByStatus', 'admin', { hasLoggedIn: 'false', searchTerm: 'guest' });
    expect(after.body.total).toBe(0);
});

it('a deactivation by users.update shows within a second, though its event still carries the user as active', async () => {
    expect((await client().post('/api/v1/users.update', { userId: 'ciel', data: { active: false } }, 'admin')).status).toBe(200);
    const ciel = await eventually(
        () => findUser('ciel'),
        (user) => user?.active === false,
    );
    expect(ciel).toMatchObject({ username: 'ciel', active: false });
});

it('users.setActiveStatus changes the account and fires no app event, as in Rocket.Chat', async () => {
    const before = (await client().stats())[0].events;
    const reply = await client().post('/api/v1/users.setActiveStatus', { userId: 'norole', activeStatus: false }, 'admin');
    expect(reply).toEqual({ status: 200, body: { user: { _id: 'norole', active: false }, success: true } });
    expect((await client().stats())[0].events).toEqual(before);
    // The account is deactivated: its credentials no longer work.
    expect((await client().get('users.list', 'norole')).status).toBe(401);
});

it('a deleted user disappears', async () => {
    const total = (await client().get('users.list', 'admin')).body.total;
    expect((await client().post('/api/v1/users.delete', { userId: 'Zed' }, 'admin')).status).toBe(200);
    const { body } = await client().get('users.list', 'admin');
    expect(body.total).toBe(total - 1);
    expect(await findUser('Zed')).toBeUndefined();
});

it('only admins may change users, and nothing changes when refused', async () => {
    const refused = await client().post('/api/v1/users.update', { userId: 'bob', data: { name: 'Hacked' } }, 'agent1');
    expect(refused.status).toBe(403);
    expect(await findUser('bob')).toMatchObject({ name: 'Bob B.' });
});
