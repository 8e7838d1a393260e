/// <reference types="jest" />
/**
 * What seat management needs of the local workspace, checked through the
 * real engine: the user updater's `deactivate` as Rocket.Chat's
 * setUserActiveStatus (its refusals and messages, no app event, direct rooms
 * read-only; the `user.write` check is in seats-host-permission.test.ts),
 * reactivation clearing `ro`, the message routes and `rooms.info`, Site_Url
 * reachable through the app's HTTP accessor, and personal access tokens.
 */
import type { IMessageAttachment } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';

import type { Workspace, WorkspaceUser } from '../../host';
import { Client, useHost } from './support';

function user(id: string, fields: Partial<WorkspaceUser> = {}): WorkspaceUser {
    return { _id: id, username: id, name: id, type: 'user', roles: ['user'], active: true, authToken: `${id}-token`, ...fields };
}

/** Who owns what: every refusal of setUserActiveStatus has its user. */
function seatsWorkspace(): Workspace {
    return {
        users: [
            user('admin', { roles: ['admin', 'user'] }),
            user('oldadmin', { roles: ['admin', 'user'], active: false }),
            user('alice'),
            user('bob'),
            user('carol'),
            user('dave'),
            user('erin'),
            user('frank'),
            user('gina'),
            user('fed', { username: '@fed:matrix.example.org', federated: true }),
        ],
        rooms: [
            { _id: 'GENERAL', name: 'general', t: 'c', members: ['admin', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'fed'], owners: ['admin'] },
            // bob is its only owner; frank (inactive by then) joined before alice.
            { _id: 'project', name: 'project', t: 'p', members: ['bob', 'frank', 'alice'], owners: ['bob'] },
            // carol is its only member.
            { _id: 'solo', name: 'solo', t: 'c', members: ['carol'], owners: ['carol'] },
            // erin shares ownership with the admin.
            { _id: 'shared', name: 'shared', t: 'c', members: ['admin', 'erin'], owners: ['admin', 'erin'] },
            { _id: 'alicedave', t: 'd', members: ['alice', 'dave'] },
            { _id: 'davefrank', t: 'd', members: ['dave', 'frank'] },
            { _id: 'secret', name: 'secret', t: 'p', members: ['alice', 'bob'] },
            { _id: 'ginas', name: 'ginas', t: 'c', members: ['gina', 'admin'], owners: ['gina'], fname: 'Gina’s room' } as Workspace['rooms'][number],
        ],
    };
}

const client = useHost(seatsWorkspace);
const accessors = () => client().host.instance(1).appAccessors();
const deactivate = (id: string, confirmRelinquish = false) => accessors().modify.getUpdater().getUserUpdater().deactivate(id, confirmRelinquish);
const get = (route: string, userId: string) => client().raw(`${client().url}/api/v1/${route}`, { headers: Client.as(userId) });
const isActive = async (id: string) => (await accessors().read.getUserReader().getById(id))?.isEnabled;
const ro = async (roomId: string) => (await get(`rooms.info?roomId=${roomId}`, 'admin')).body.room?.ro;

describe("IUserUpdater.deactivate, as Rocket.Chat's setUserActiveStatus", () => {
    it('refuses an unknown id, the last active admin, a federated user and the last owner of a room, with the server’s messages', async () => {
        await expect(deactivate('nobody')).rejects.toThrow("Cannot read properties of undefined (reading 'id')");
        await expect(deactivate('admin')).rejects.toThrow('Leaving the app without an active admin is not allowed [error-action-not-allowed]');
        await expect(deactivate('fed')).rejects.toThrow('Cannot change federated users status [error-user-is-federated]');
        await expect(deactivate('bob')).rejects.toThrow('[user-last-owner]');
        // The only member of a room is refused too, as Rocket.Chat would have to remove it.
        await expect(deactivate('carol')).rejects.toThrow('[user-last-owner]');
        for (const id of ['admin', 'fed', 'bob', 'carol']) expect(await isActive(id)).toBe(true);
    });

    it('deactivates a co-owner and a plain member with no app event, and turns their direct rooms read-only', async () => {
        client().host.resetStats();
        expect(await ro('alicedave')).toBe(false);
        await expect(deactivate('erin')).resolves.toBe(true);
        await expect(deactivate('dave')).resolves.toBe(true);
        expect(await isActive('erin')).toBe(false);
        expect(await isActive('dave')).toBe(false);
        expect(await ro('alicedave')).toBe(true);
        expect(await ro('davefrank')).toBe(true);
        expect(client().host.stats()[0].events).toEqual({});
        // A deactivated user's credentials stop working.
        expect((await get('rooms.info?roomId=GENERAL', 'dave')).status).toBe(401);
    });

    it('with confirmRelinquish, hands the room to its first active member, or removes a room left empty', async () => {
        await expect(deactivate('frank')).resolves.toBe(true);
        await expect(deactivate('bob', true)).resolves.toBe(true);
        const owners = await accessors().read.getRoomReader().getOwners('project');
        expect(owners.map((u) => u.id).sort()).toEqual(['alice', 'bob']);
        await expect(deactivate('carol', true)).resolves.toBe(true);
        expect(await get('rooms.info?roomId=solo', 'admin')).toEqual({ status: 400, body: { success: false, error: 'not-allowed', errorType: 'Not Allowed' } });
    });

    it('users.setActiveStatus reactivates and clears ro only where the other member is active', async () => {
        const on = (userId: string) => client().post('/api/v1/users.setActiveStatus', { userId, activeStatus: true }, 'admin');
        expect(await on('dave')).toEqual({ status: 200, body: { user: { _id: 'dave', active: true }, success: true } });
        expect(await ro('alicedave')).toBe(false);
        expect(await ro('davefrank')).toBe(true); // frank is still deactivated
        await on('frank');
        expect(await ro('davefrank')).toBe(false);
    });

    it('users.update with data.active goes the same way: ro on deactivation, cleared on reactivation', async () => {
        const update = (active: boolean) => client().post('/api/v1/users.update', { userId: 'dave', data: { active } }, 'admin');
        expect((await update(false)).body.user).toMatchObject({ _id: 'dave', active: false });
        expect(await ro('alicedave')).toBe(true);
        expect((await update(true)).body.user).toMatchObject({ _id: 'dave', active: true });
        expect(await ro('alicedave')).toBe(false);
        expect((await client().post('/api/v1/users.update', { userId: 'gina', data: { active: false } }, 'admin')).body.errorType).toBe('user-last-owner');
        expect(await isActive('gina')).toBe(true);
    });

    it('users.setActiveStatus refuses the last owner as the server does, with the rooms in the details', async () => {
        const reply = await client().post('/api/v1/users.setActiveStatus', { userId: 'gina', activeStatus: false }, 'admin');
        expect(reply).toEqual({
            status: 400,
            body: {
                success: false,
                error: '[user-last-owner]',
                errorType: 'user-last-owner',
                details: { shouldBeRemoved: [], shouldChangeOwner: ['Gina’s room'] },
            },
        });
        expect(await isActive('gina')).toBe(true);
    });
});

describe('what clients read of rooms', () => {
    beforeAll(async () => {
        const { modify, read } = accessors();
        const room = async (id: string) => (await read.getRoomReader().getById(id)) as IRoom;
        const send = async (roomId: string, text: string, attachments?: IMessageAttachment[]) => {
            const builder = modify
                .getCreator()
                .startMessage()
                .setRoom(await room(roomId))
                .setText(text);
            if (attachments) builder.setAttachments(attachments);
            return modify.getCreator().finish(builder);
        };
        for (let i = 1; i <= 5; i++) await send('GENERAL', `progress ${i}`);
        await send('secret', 'for alice and bob', [{ title: { value: 'Report', link: 'https://example.com/r' }, text: 'done: 3' }]);
        await modify
            .getCreator()
            .getUploadCreator()
            .uploadBuffer(Buffer.from('_id,username\nu1,one\n'), { filename: 'undo.csv', room: await room('alicedave') });
    });

    it('channels.messages: newest first, count/offset/total as Rocket.Chat pages them', async () => {
        const page = await get('channels.messages?roomId=GENERAL&count=2&offset=1', 'alice');
        expect(page.status).toBe(200);
        expect(page.body).toMatchObject({ count: 2, offset: 1, total: 5, success: true });
        expect(page.body.messages.map((m: { msg: string }) => m.msg)).toEqual(['progress 4', 'progress 3']);
        expect(page.body.messages[0]).toMatchObject({ rid: 'GENERAL', u: { username: 'user-directory.bot' } });
        expect(typeof page.body.messages[0]._id).toBe('string');
        const all = await get('channels.messages?roomName=general&count=0', 'alice');
        expect(all.body.messages.map((m: { msg: string }) => m.msg)).toEqual(['progress 5', 'progress 4', 'progress 3', 'progress 2', 'progress 1']);
        const oldest = await get('channels.messages?roomId=GENERAL&sort={"ts":1}&count=1', 'alice');
        expect(oldest.body.messages[0].msg).toBe('progress 1');
    });

    it('groups.messages: members and admins; a group the caller cannot see is not found', async () => {
        const member = await get('groups.messages?roomId=secret', 'alice');
        expect(member.body.messages).toEqual([
            expect.objectContaining({ msg: 'for alice and bob', attachments: [{ title: 'Report', title_link: 'https://example.com/r', text: 'done: 3' }] }),
        ]);
        expect((await get('groups.messages?roomId=secret', 'admin')).body.total).toBe(1);
        expect(await get('groups.messages?roomId=secret', 'erin')).toMatchObject({ status: 401 }); // deactivated
        expect(await get('groups.messages?roomId=project', 'dave')).toEqual({
            status: 400,
            body: {
                success: false,
                error: 'The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]',
                errorType: 'error-room-not-found',
            },
        });
        expect((await get('channels.messages?roomId=secret', 'alice')).status).toBe(400);
        expect((await get('channels.messages', 'alice')).body.errorType).toBe('error-room-param-not-provided');
        expect((await get('channels.messages?roomId=GENERAL', '')).status).toBe(401);
    });

    it('im.messages: an uploaded file is a message from the uploader with the file as an attachment', async () => {
        const dm = await get('im.messages?roomId=alicedave', 'alice');
        expect(dm.body).toMatchObject({ total: 1, success: true });
        const [message] = dm.body.messages;
        expect(message).toMatchObject({
            msg: '',
            rid: 'alicedave',
            file: { name: 'undo.csv', format: 'csv' },
            attachments: [{ title: 'undo.csv', type: 'file', title_link_download: true }],
        });
        expect(message.attachments[0].title_link).toMatch(/^\/file-upload\/.+\/undo\.csv$/);
        expect((await get('im.messages?username=dave', 'alice')).body.total).toBe(1);
        expect(await get('im.messages?roomId=alicedave', 'gina')).toEqual({ status: 403, body: { success: false, error: 'unauthorized' } });
        expect((await get('im.messages?roomId=alicedave', 'admin')).status).toBe(200);
    });

    it('rooms.info: the room with ro, for those who may read it', async () => {
        const info = await get('rooms.info?roomId=secret', 'alice');
        expect(info.body).toEqual({
            room: { _id: 'secret', t: 'p', name: 'secret', fname: 'secret', usersCount: 2, msgs: 1, ro: false, u: { _id: 'alice', username: 'alice' } },
            success: true,
        });
        expect((await get('rooms.info?roomId=secret', 'dave')).body).toEqual({ success: false, error: 'not-allowed', errorType: 'Not Allowed' });
    });
});

describe('Site_Url and personal access tokens', () => {
    it("Site_Url is the instance's URL and the app's HTTP accessor reaches it", async () => {
        const { read, http } = accessors();
        const siteUrl = await read.getEnvironmentReader().getServerSettings().getValueById('Site_Url');
        expect(siteUrl).toBe(client().url);
        const info = await http.get(`${siteUrl}/api/info`);
        expect(info.statusCode).toBe(200);
        expect(info.data).toEqual({ version: client().host.appVersion, success: true });
    });

    it('a personal access token authenticates its user, also over the HTTP accessor', async () => {
        const created = await client().post('/api/v1/users.generatePersonalAccessToken', { tokenName: 'seats' }, 'admin');
        expect(created.status).toBe(200);
        const token = created.body.token as string;
        expect(token.length).toBeGreaterThanOrEqual(32);
        expect((await client().post('/api/v1/users.generatePersonalAccessToken', { tokenName: 'seats' }, 'admin')).body).toEqual({
            success: false,
            error: 'A token with this name already exists [error-token-already-exists]',
            errorType: 'error-token-already-exists',
        });
        await client().post('/api/v1/users.setActiveStatus', { userId: 'dave', activeStatus: false }, 'admin');
        const reply = await accessors().http.post(`${client().url}/api/v1/users.setActiveStatus`, {
            headers: { 'X-User-Id': 'admin', 'X-Auth-Token': token },
            data: { userId: 'dave', activeStatus: true },
        });
        expect(reply.statusCode).toBe(200);
        expect(reply.data).toEqual({ user: { _id: 'dave', active: true }, success: true });
        expect(await isActive('dave')).toBe(true);
        // The token is no one else's and nothing else's.
        expect(
            (await client().raw(`${client().url}/api/v1/rooms.info?roomId=GENERAL`, { headers: { 'X-User-Id': 'alice', 'X-Auth-Token': token } })).status,
        ).toBe(401);
        expect(JSON.stringify((await client().post('/api/v1/users.update', { userId: 'admin', data: { name: 'Admin' } }, 'admin')).body)).not.toContain(token);
    });
});
