import type { Workspace, WorkspaceUser } from '../../host';

const login = (day: number) => `2024-04-${String(day).padStart(2, '0')}T17:47:50.485Z`;

function user(id: string, fields: Partial<WorkspaceUser>): WorkspaceUser {
    return {
        _id: id,
        username: id,
        type: 'user',
        roles: ['user'],
        active: true,
        status: 'offline',
        createdAt: '2023-01-01T00:00:00.000Z',
        authToken: `${id}-token`,
        ...fields,
    };
}

/** A small workspace whose every answer can be written down exactly. */
export function smallWorkspace(): Workspace {
    const users: WorkspaceUser[] = [
        user('admin', {
            name: 'Ada Admin',
            roles: ['user', 'admin'],
            emails: [{ address: 'ada@example.com', verified: true }],
            status: 'online',
            lastLogin: login(1),
            customFields: { clearance: 'Top' },
        }),
        user('alice', { name: 'Alice A.', emails: [{ address: 'alice@example.com', verified: true }], status: 'online', lastLogin: login(2), utcOffset: 2 }),
        user('bob', { name: 'Bob B.', active: false, emails: [{ address: 'bob@example.org', verified: false }] }),
        user('ciel', {
            name: 'Ciel',
            emails: [{ address: 'ciel@example.com', verified: false }],
            customFields: { clearance: 'High', team: 'Queen' },
            lastLogin: login(3),
        }),
        user('Zed', { name: 'zed upper', status: 'away', lastLogin: login(4) }),
        user('manager', {
            name: 'Mona Manager',
            roles: ['user', 'livechat-manager'],
            status: 'online',
            lastLogin: login(5),
            emails: [{ address: 'mona@example.com', verified: true }],
        }),
        user('agent1', {
            name: 'Agent 1',
            roles: ['user', 'livechat-agent'],
            status: 'online',
            lastLogin: login(6),
            emails: [{ address: 'agent1@example.com', verified: false }],
        }),
        user('agent2', { name: 'Agent 2', roles: ['user', 'livechat-agent'], status: 'offline', emails: [{ address: 'agent2@example.com', verified: false }] }),
        user('dialog.bot', {
            name: 'Dialog Bot',
            type: 'bot',
            roles: ['bot', 'livechat-agent'],
            status: 'offline',
            emails: [{ address: 'dialog.bot@example.com', verified: true }],
        }),
        user('guest', { name: 'Gus Guest', roles: ['guest'] }),
        user('norole', { name: 'No Role', roles: [] }),
        user('lonely', { name: 'Lonely L.' }),
    ];
    const inRooms = users.filter((u) => u._id !== 'lonely').map((u) => u._id);
    return {
        users,
        rooms: [
            { _id: 'GENERAL', name: 'general', t: 'c', members: inRooms },
            { _id: 'support', name: 'support', t: 'p', members: ['manager', 'agent1', 'agent2', 'dialog.bot'] },
            { _id: 'alice-bob', t: 'd', members: ['alice', 'bob'] },
        ],
    };
}
