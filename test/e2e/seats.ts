/// <reference types="jest" />
/**
 * What the deactivation tests share: a workspace whose every user has a
 * known fate, and a client's way to act and to read what the app wrote.
 */
import type { Workspace, WorkspaceUser } from '../../host';
import { Client, eventually } from './support';

const OLD = '2020-01-15T09:00:00.000Z';
const recent = () => new Date(Date.now() - 2 * 24 * 3600_000).toISOString();

function user(id: string, fields: Partial<WorkspaceUser> = {}): WorkspaceUser {
    return {
        _id: id,
        username: id,
        name: id.replace(/(^|[.-])(\w)/g, (_, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`),
        type: 'user',
        roles: ['user'],
        active: true,
        status: 'offline',
        createdAt: '2019-06-01T00:00:00.000Z',
        authToken: `${id}-token`,
        ...fields,
    };
}

/** Who the review of `inactive:90d` by `admin` finds, and what becomes of each. */
export const FATE = {
    /** Deactivated by a run. */
    deactivated: ['old.login', 'never.in', 'gus.guest'],
    /** Logs in between the preview and the confirmation. */
    loggedInSince: ['comes.back'],
    /** Rocket.Chat refuses: the last owner of a room, the only member of one. */
    lastOwner: ['room.owner', 'solo.member'],
    /** Never deactivated. */
    exempt: { admin: ['old.admin'], botOrApp: ['old.bot'], federated: ['@far:matrix.example.org'], exemptRole: ['old.auditor'] },
    /** Not inactive. */
    untouched: ['admin', 'alice', 'fresh.face'],
};

export function seatsWorkspace(): Workspace {
    const users: WorkspaceUser[] = [
        user('admin', { roles: ['user', 'admin'], lastLogin: recent() }),
        user('alice', { lastLogin: recent() }),
        user('old.login', { lastLogin: OLD }),
        user('never.in', {}),
        user('gus.guest', { roles: ['guest'], lastLogin: OLD }),
        user('comes.back', { lastLogin: OLD }),
        user('room.owner', { lastLogin: OLD }),
        user('solo.member', { lastLogin: OLD }),
        user('old.admin', { roles: ['user', 'admin'], lastLogin: OLD }),
        user('old.bot', { type: 'bot', roles: ['bot'] }),
        user('@far:matrix.example.org', { federated: true, lastLogin: OLD }),
        user('old.auditor', { roles: ['user', 'auditor'], lastLogin: OLD }),
        user('fresh.face', { createdAt: new Date(Date.now() - 24 * 3600_000).toISOString() }),
        user('gone.already', { active: false, lastLogin: OLD }),
    ];
    const everyone = users.map((u) => u._id).filter((id) => id !== 'solo.member');
    return {
        users,
        rooms: [
            { _id: 'GENERAL', name: 'general', t: 'c', members: everyone, owners: ['admin'] },
            { _id: 'audit', name: 'audit', t: 'c', members: ['admin', 'old.admin'], owners: ['admin'] },
            { _id: 'project', name: 'project', t: 'p', members: ['room.owner', 'alice'], owners: ['room.owner'] },
            { _id: 'solo', name: 'solo', t: 'p', members: ['solo.member'] },
            { _id: 'dm-old-alice', t: 'd', members: ['old.login', 'alice'] },
        ],
    };
}

export interface Block {
    type: string;
    text?: { text: string };
    fields?: Array<{ text: string }>;
    elements?: Array<{ type: string; actionId?: string; value?: string; text?: string | { text: string } }>;
}

export interface Produced {
    notifications: Array<{ text: string; blocks?: Block[]; sender?: string }>;
    uiInteractions: Array<{ type: string; view: { id: string; title?: { text: string }; blocks: Block[]; submit?: { text: { text: string } } } }>;
    response?: { success: boolean; type?: string; view?: { id: string; title?: { text: string }; blocks: Block[] } };
}

export const blockText = (blocks: Block[] = []) =>
    blocks
        .flatMap((block) => [
            block.text?.text ?? '',
            ...(block.fields ?? []).map((field) => field.text),
            ...(block.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : (e.text?.text ?? ''))),
        ])
        .join('\n');

export const buttonOf = (blocks: Block[] = [], actionId: string) =>
    blocks.flatMap((block) => block.elements ?? []).find((element) => element.actionId === actionId);

export class SeatsClient {
    constructor(readonly client: Client) {}

    on(instance: number): SeatsClient {
        return new SeatsClient(this.client.on(instance));
    }

    async settings(values: Record<string, unknown>): Promise<void> {
        const reply = await this.client.post(
            `/api/apps/${this.client.host.appId}/settings`,
            { settings: Object.entries(values).map(([id, value]) => ({ id, value })) },
            'admin',
        );
        expect(reply.status).toBe(200);
    }

    async command(params: string, userId: string): Promise<Produced> {
        const reply = await this.client.post('/api/v1/commands.run', { command: 'users', params, roomId: 'GENERAL' }, userId);
        expect(reply.status).toBe(200);
        return reply.body as Produced;
    }

    /** The one ephemeral reply of a command. */
    async reply(params: string, userId: string): Promise<{ text: string; blocks?: Block[]; sender?: string }> {
        const { notifications } = await this.command(params, userId);
        expect(notifications).toHaveLength(1);
        return notifications[0];
    }

    async interact(body: Record<string, unknown>, userId: string): Promise<Produced> {
        const reply = await this.client.post(`/api/apps/ui.interaction/${this.client.host.appId}`, body, userId);
        expect(reply.status).toBe(200);
        return reply.body as Produced;
    }

    /** Every user the directory has deactivated, as the admin sees it on this instance. */
    async deactivated(): Promise<string[]> {
        const reply = await this.client.get('users.listByStatus', 'admin', { status: 'deactivated', count: 0 });
        expect(reply.status).toBe(200);
        return (reply.body.users as Array<{ username: string }>).map((u) => u.username).sort();
    }

    async messages(route: 'im.messages' | 'channels.messages', query: Record<string, string>, userId: string): Promise<Array<Record<string, any>>> {
        const search = new URLSearchParams({ ...query, sort: '{"ts":1}', count: '0' });
        const reply = await this.client.raw(`${this.client.url}/api/v1/${route}?${search}`, { headers: Client.as(userId) });
        // A direct room the app has not opened yet.
        if (reply.status === 400 && reply.body.errorType === 'error-room-not-found') return [];
        expect(reply).toMatchObject({ status: 200 });
        return reply.body.messages;
    }

    async roomInfo(roomId: string): Promise<Record<string, any>> {
        const reply = await this.client.raw(`${this.client.url}/api/v1/rooms.info?roomId=${roomId}`, { headers: Client.as('admin') });
        expect(reply.status).toBe(200);
        return reply.body.room;
    }

    /** Waits for a message in the room whose text contains `needle`; returns the room's messages then. */
    async waitFor(read: () => Promise<Array<Record<string, any>>>, needle: string, ms = 30_000): Promise<Array<Record<string, any>>> {
        const messages = await eventually(read, (list) => list.some((m) => String(m.msg).includes(needle)), ms);
        expect(messages.map((m) => String(m.msg)).join('\n')).toContain(needle);
        return messages;
    }
}
