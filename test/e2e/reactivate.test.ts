/// <reference types="jest" />
/**
 * `/users reactivate` end to end on a two-instance workspace: refusals that
 * change nothing, unknown ids, missing credentials, and a real reactivation
 * over the app's HTTP accessor (Site_Url, an admin's personal access token)
 * that every instance's directory shows.
 */
import type { Workspace } from '../../host';
import { smallWorkspace } from './fixtures';
import { eventually, useHost } from './support';

function workspace(): Workspace {
    const ws = smallWorkspace();
    ws.users.push(
        { _id: 'dora', username: 'dora', name: 'Dora D.', type: 'user', roles: ['user'], active: false, authToken: 'dora-token' },
        { _id: 'fedx', username: '@fedx:matrix.example.org', name: 'Fed X', type: 'user', roles: ['user'], active: false, federated: true },
    );
    ws.rooms[0].members.push('dora', 'fedx');
    return ws;
}

const client = useHost(workspace, { instances: 2 });

async function reactivate(params: string, userId = 'admin'): Promise<string> {
    const reply = await client().post('/api/v1/commands.run', { command: 'users', params: `reactivate ${params}`, roomId: 'GENERAL' }, userId);
    expect(reply.status).toBe(200);
    expect(reply.body.messages).toEqual([]);
    return (reply.body.notifications as Array<{ text: string }>).map((n) => n.text).join('\n');
}

async function settings(values: Record<string, unknown>): Promise<void> {
    const body = { settings: Object.entries(values).map(([id, value]) => ({ id, value })) };
    expect((await client().post(`/api/apps/${client().host.appId}/settings`, body, 'admin')).status).toBe(200);
}

/** Whether each user is active, as the workspace itself says. */
async function active(ids: string[]): Promise<boolean[]> {
    const { read } = client().host.instance(1).appAccessors();
    return Promise.all(ids.map(async (id) => (await read.getUserReader().getById(id)).isEnabled));
}

const deactivatedInDirectory = async (instance: number): Promise<string[]> => {
    const reply = await client().on(instance).get('users.listByStatus', 'admin', { status: 'deactivated', count: 0 });
    return (reply.body.users as Array<{ _id: string }>).map((u) => u._id).sort();
};

it('is off until deactivation is enabled, and for non-admins refused either way; nothing changes', async () => {
    expect(await reactivate('bob')).toContain('Seat management is turned off');
    expect(await reactivate('bob', 'alice')).toBe('Only workspace admins can reactivate users. Nothing was changed.');
    await settings({ deactivation_enabled: true });
    // A non-admin learns nothing, not even which ids exist.
    expect(await reactivate('bob nosuch', 'alice')).toBe('Only workspace admins can reactivate users. Nothing was changed.');
    expect(await active(['bob', 'dora'])).toEqual([false, false]);
    expect(await deactivatedInDirectory(1)).toEqual(['bob', 'dora', 'fedx']);
});

it('with unknown ids, reactivates nobody and lists them', async () => {
    const text = await reactivate('bob nosuch,dora other');
    expect(text).toBe('No users have the ids `nosuch`, `other` (2), so nobody was reactivated. Check the ids and run the command again.');
    expect(await reactivate('')).toContain('Usage: `/users reactivate <id> [<id>...]`');
    expect(await active(['bob', 'dora'])).toEqual([false, false]);
});

it('without credentials, says how to set them and lists the users to reactivate by hand', async () => {
    const text = await reactivate('bob dora');
    expect(text).toContain('`server_api_user_id`');
    expect(text).toContain('`server_api_token`');
    expect(text.split('\n').slice(1)).toEqual(['• @bob (`bob`)', '• @dora (`dora`)']);
    expect(await active(['bob', 'dora'])).toEqual([false, false]);
});

it('with wrong credentials, reports the refusal per user and changes nothing', async () => {
    await settings({ server_api_user_id: 'admin', server_api_token: 'not-a-token' });
    const text = await reactivate('bob');
    expect(text).toContain('Reactivation: 0 of 1 reactivated, 1 failed.');
    expect(text).toContain('the server refused the credentials');
    expect(text).not.toContain('not-a-token');
    expect(await active(['bob'])).toEqual([false]);
});

it("reactivates through users.setActiveStatus with an admin's personal access token; every instance's directory shows it", async () => {
    const created = await client().post('/api/v1/users.generatePersonalAccessToken', { tokenName: 'reactivation' }, 'admin');
    const token = created.body.token as string;
    await settings({ server_api_token: token });
    // Run on instance 2: its Site_Url is its own address.
    const reply = await client().on(2).post('/api/v1/commands.run', { command: 'users', params: 'reactivate bob, fedx alice', roomId: 'GENERAL' }, 'admin');
    const text = (reply.body.notifications as Array<{ text: string }>).map((n) => n.text).join('\n');
    expect(text.split('\n')).toEqual([
        'Reactivation: 1 of 3 reactivated, 1 failed.',
        '• @bob (`bob`): reactivated',
        '• @@fedx:matrix.example.org (`fedx`): not reactivated (HTTP 400: Cannot change federated users status [error-user-is-federated])',
        '• @alice (`alice`): already active, nothing to do',
    ]);
    expect(text).not.toContain(token);
    expect(await active(['bob', 'fedx', 'dora'])).toEqual([true, false, false]);
    for (const instance of [1, 2]) {
        expect(
            await eventually(
                () => deactivatedInDirectory(instance),
                (ids) => ids.join() === 'dora,fedx',
                5000,
            ),
        ).toEqual(['dora', 'fedx']);
    }
});
