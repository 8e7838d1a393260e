/// <reference types="jest" />
/**
 * Room membership as Rocket.Chat handles it, seen by an app on a two-instance
 * cluster (a probe app that records every event it gets): IPostRoomUserJoined
 * `{room, joiningUser, invitingUser}` for channels and groups, after the
 * request, on the handling instance only; IPostRoomUserLeave `{room,
 * leavingUser, removedBy}`, awaited; none for default channels at sign-up or
 * for a deleted user's rooms. Rooms' updatedAt and read-only flag as
 * getAllRooms returns them; and the persistence counters of /host/stats.
 */
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms/IRoomRaw';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';

import type { Workspace, WorkspaceUser } from '../../host';
import { probeEvents, probeZip, ProbeEvent, PROBE_APP_ID } from './probe-app';
import { Client, eventually, useHost } from './support';

function user(id: string, fields: Partial<WorkspaceUser> = {}): WorkspaceUser {
    return { _id: id, username: id, name: id, type: 'user', roles: ['user'], active: true, authToken: `${id}-token`, ...fields };
}

const LOADED = '2024-01-01T00:00:00.000Z';

function workspace(): Workspace {
    return {
        users: [user('admin', { roles: ['admin', 'user'] }), user('alice'), user('bob'), user('carol'), user('dave')],
        rooms: [
            { _id: 'GENERAL', name: 'general', t: 'c', members: ['admin', 'alice', 'bob', 'carol', 'dave'], owners: ['admin'], _updatedAt: LOADED },
            { _id: 'lounge', name: 'lounge', t: 'c', members: ['admin'], owners: ['admin'], _updatedAt: LOADED },
            { _id: 'team', name: 'team', t: 'p', members: ['admin', 'alice'], owners: ['admin'], _updatedAt: LOADED },
            { _id: 'alicebob', t: 'd', members: ['alice', 'bob'], _updatedAt: LOADED },
            { _id: 'carolbob', t: 'd', members: ['carol', 'bob'], _updatedAt: LOADED },
            { _id: 'davebob', t: 'd', members: ['dave', 'bob'], _updatedAt: LOADED },
        ],
    };
}

const client = useHost(workspace, { zipPath: probeZip(), instances: 2 });
const via = (n: number) => client().on(n);
const post = (n: number, route: string, body: unknown, as = 'admin') => via(n).post(`/api/v1/${route}`, body, as);
const events = () => probeEvents(client().host.instance(1));
const eventsOf = async (name: string) => (await events()).filter((e) => e.event === name);
const firedOn = () =>
    client()
        .host.stats()
        .map((s) => s.events);
const rooms = async (): Promise<Record<string, IRoomRaw>> => {
    const raw = await client().host.instance(1).appAccessors().read.getRoomReader().getAllRooms({}, { limit: 100, skip: 0 });
    return Object.fromEntries((raw ?? []).map((room) => [room.id, room]));
};
const updatedAt = async (roomId: string) => new Date((await rooms())[roomId].updatedAt as Date).toISOString();

/** Waits until the probe has recorded `count` events of that name. */
const recorded = (name: string, count: number) =>
    eventually(
        () => eventsOf(name),
        (list) => list.length >= count,
        5000,
    );

beforeEach(() => client().host.resetStats());

describe('IPostRoomUserJoined', () => {
    it('fires for channels.invite on the handling instance only, after the answer, with invitingUser (not inviter)', async () => {
        const before = await updatedAt('lounge');
        const reply = await post(2, 'channels.invite', { roomId: 'lounge', userId: 'alice' });
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ channel: { _id: 'lounge', t: 'c' }, success: true });
        const [joined] = await recorded('IPostRoomUserJoined', 1);
        expect(joined).toEqual({
            event: 'IPostRoomUserJoined',
            keys: ['invitingUser', 'joiningUser', 'room'],
            // The room as it was read before the join.
            room: { id: 'lounge', type: RoomType.CHANNEL, slugifiedName: 'lounge', isReadOnly: false, userIds: null, updatedAt: before },
            joiningUser: { id: 'alice', username: 'alice' },
            invitingUser: { id: 'admin', username: 'admin' },
            inviter: null,
        } satisfies ProbeEvent);
        expect(firedOn()).toEqual([{}, { IPostRoomUserJoined: 1 }]);
        expect(await updatedAt('lounge')).not.toBe(before);
    });

    it('fires for groups.invite and for channels.join (no inviter); not for a member invited again, nor for direct rooms', async () => {
        const start = (await events()).length;
        expect((await post(1, 'groups.invite', { roomId: 'team', userIds: ['bob', 'alice'] })).body).toMatchObject({ group: { _id: 'team' }, success: true });
        expect((await post(1, 'channels.join', { roomName: 'lounge' }, 'carol')).body).toMatchObject({ channel: { _id: 'lounge' }, success: true });
        const list = await eventually(
            async () => (await events()).slice(start),
            (l) => l.length >= 2,
            5000,
        );
        const summary = list.map((e) => [e.event, (e.room as { id: string }).id, (e.joiningUser as { id: string }).id, e.invitingUser, e.keys.join(',')]);
        expect(summary).toEqual(
            expect.arrayContaining([
                ['IPostRoomUserJoined', 'team', 'bob', { id: 'admin', username: 'admin' }, 'invitingUser,joiningUser,room'],
                // As from Rocket.Chat's listener bridge: the key is there, empty.
                ['IPostRoomUserJoined', 'lounge', 'carol', null, 'invitingUser,joiningUser,room'],
            ]),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await events()).length).toBe(start + 2);
        expect(firedOn()).toEqual([{ IPostRoomUserJoined: 2 }, {}]);
    });

    it('does not fire for the default channel a user joins at sign-up (users.create), only IPostUserCreated', async () => {
        const reply = await post(2, 'users.create', { email: 'erin@example.com', name: 'Erin', password: 'x', username: 'erin' });
        expect(reply.status).toBe(200);
        const created = await recorded('IPostUserCreated', 1);
        expect(created.map((e) => (e.user as { username: string }).username)).toEqual(['erin']);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(firedOn()).toEqual([{}, { IPostUserCreated: 1 }]);
        const info = await post(1, 'channels.invite', { roomId: 'GENERAL', userId: reply.body.user._id });
        // Already a member: nothing happens, no event.
        expect(info.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(firedOn()).toEqual([{}, { IPostUserCreated: 1 }]);
    });
});

describe('IPostRoomUserLeave', () => {
    it('fires for channels.kick before the answer, with removedBy, on the handling instance', async () => {
        const before = await updatedAt('lounge');
        const start = (await eventsOf('IPostRoomUserLeave')).length;
        expect((await post(2, 'channels.kick', { roomId: 'lounge', userId: 'alice' })).body).toMatchObject({ channel: { _id: 'lounge' }, success: true });
        const list = (await eventsOf('IPostRoomUserLeave')).slice(start);
        expect(list).toEqual([
            {
                event: 'IPostRoomUserLeave',
                keys: ['leavingUser', 'removedBy', 'room'],
                room: { id: 'lounge', type: RoomType.CHANNEL, slugifiedName: 'lounge', isReadOnly: false, userIds: null, updatedAt: before },
                leavingUser: { id: 'alice', username: 'alice' },
                removedBy: { id: 'admin', username: 'admin' },
            },
        ]);
        expect(firedOn()).toEqual([{}, { IPostRoomUserLeave: 1 }]);
        expect(await updatedAt('lounge')).not.toBe(before);
    });

    it('fires for channels.leave and groups.leave without removedBy', async () => {
        const start = (await eventsOf('IPostRoomUserLeave')).length;
        expect((await post(1, 'channels.leave', { roomId: 'lounge' }, 'carol')).status).toBe(200);
        expect((await post(1, 'groups.leave', { roomName: 'team' }, 'bob')).status).toBe(200);
        const list = (await eventsOf('IPostRoomUserLeave')).slice(start);
        expect(list.map((e) => [(e.room as { id: string }).id, (e.leavingUser as { id: string }).id, e.removedBy, e.keys.join(',')])).toEqual([
            ['lounge', 'carol', null, 'leavingUser,removedBy,room'],
            ['team', 'bob', null, 'leavingUser,removedBy,room'],
        ]);
        expect(firedOn()).toEqual([{ IPostRoomUserLeave: 2 }, {}]);
    });

    it('refuses as Rocket.Chat: the last owner, a non-member, a non-admin inviting, an unknown room', async () => {
        expect((await post(1, 'channels.leave', { roomId: 'lounge' }, 'admin')).body).toEqual({
            success: false,
            error: 'You are the last owner. Please set new owner before leaving the room. [error-you-are-last-owner]',
            errorType: 'error-you-are-last-owner',
        });
        expect((await post(1, 'channels.leave', { roomId: 'lounge' }, 'dave')).body.errorType).toBe('error-user-not-in-room');
        expect((await post(1, 'channels.invite', { roomId: 'lounge', userId: 'dave' }, 'alice')).status).toBe(403);
        expect((await post(1, 'groups.invite', { roomId: 'lounge', userId: 'dave' })).body.errorType).toBe('error-room-not-found');
        expect((await post(1, 'channels.invite', { roomId: 'lounge', userId: 'nobody' })).body.errorType).toBe('error-invalid-user');
        expect(firedOn()).toEqual([{}, {}]);
    });

    it("does not fire for a deleted user's rooms; their direct rooms go, the others lose them", async () => {
        const before = await rooms();
        expect((await post(1, 'users.delete', { userId: 'carol' })).status).toBe(200);
        await recorded('IPostUserDeleted', 1);
        expect(firedOn()).toEqual([{ IPostUserDeleted: 1 }, {}]);
        const after = await rooms();
        expect(after.carolbob).toBeUndefined();
        expect(after.alicebob).toBeDefined();
        expect(new Date(after.GENERAL.updatedAt as Date).getTime()).toBeGreaterThan(new Date(before.GENERAL.updatedAt as Date).getTime());
        expect(new Date(after.alicebob.updatedAt as Date).toISOString()).toBe(new Date(before.alicebob.updatedAt as Date).toISOString());
    });
});

describe('getAllRooms: updatedAt and the read-only flag as Rocket.Chat changes them', () => {
    it('deactivation marks the direct rooms read-only and reactivation clears it (false, not absent), each touching updatedAt', async () => {
        const start = await rooms();
        expect(start.davebob).toMatchObject({
            type: RoomType.DIRECT_MESSAGE,
            userIds: ['dave', 'bob'],
            usernames: ['dave', 'bob'],
            updatedAt: new Date(LOADED),
        });
        expect(start.davebob.isReadOnly).toBeUndefined();
        expect((await post(2, 'users.setActiveStatus', { userId: 'dave', activeStatus: false })).status).toBe(200);
        const off = await rooms();
        expect(off.davebob.isReadOnly).toBe(true);
        expect(new Date(off.davebob.updatedAt as Date).getTime()).toBeGreaterThan(new Date(LOADED).getTime());
        // A room the user is not in keeps its date.
        expect(off.alicebob.updatedAt).toEqual(start.alicebob.updatedAt);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect((await post(1, 'users.setActiveStatus', { userId: 'dave', activeStatus: true })).status).toBe(200);
        const on = await rooms();
        expect(on.davebob.isReadOnly).toBe(false);
        expect(new Date(on.davebob.updatedAt as Date).getTime()).toBeGreaterThan(new Date(off.davebob.updatedAt as Date).getTime());
        // No event either way.
        expect(firedOn()).toEqual([{}, {}]);
    });

    it("a username change touches the user's direct rooms, which list the new username", async () => {
        const before = await rooms();
        expect((await post(1, 'users.update', { userId: 'dave', data: { username: 'david' } })).status).toBe(200);
        const after = await rooms();
        expect(after.davebob.usernames).toEqual(['david', 'bob']);
        expect(after.davebob.updatedAt).not.toEqual(before.davebob.updatedAt);
        expect(after.alicebob.updatedAt).toEqual(before.alicebob.updatedAt);
        expect(after.GENERAL.updatedAt).toEqual(before.GENERAL.updatedAt);
    });
});

describe('/host/stats: app persistence per instance', () => {
    it('counts the records and JSON bytes each instance wrote and read, and what the app keeps', async () => {
        const kept = client().host.stats()[0].persistence;
        const stored = await events();
        // Reading them through instance 1 (one readByAssociations): every record once, with its bytes.
        const size = (data: object) =>
            Buffer.byteLength(JSON.stringify({ appId: PROBE_APP_ID, associations: [{ model: 'misc', id: 'probe-events' }], data }), 'utf8');
        const bytes = stored.reduce((sum, data) => sum + size(data), 0);
        const [one, two] = client().host.stats();
        expect(one.persistence).toEqual({ reads: stored.length, readBytes: bytes, writes: 0, writtenBytes: 0, removes: 0, records: stored.length, bytes });
        expect(two.persistence).toEqual({ ...one.persistence, reads: 0, readBytes: 0 });
        expect(kept).toEqual({ reads: 0, readBytes: 0, writes: 0, writtenBytes: 0, removes: 0, records: stored.length, bytes });

        // One event handled on instance 2: one record written there, of its size.
        expect((await post(2, 'channels.invite', { roomId: 'lounge', userId: 'bob' })).status).toBe(200);
        const added = await eventually(
            () => events(),
            (list) => list.length === stored.length + 1,
            5000,
        );
        const written = size(added[added.length - 1]);
        const second = client().host.stats()[1].persistence;
        expect(second).toMatchObject({ writes: 1, writtenBytes: written, records: stored.length + 1, bytes: bytes + written });

        const reply = await client().raw(`${via(2).url}/host/stats`, { headers: Client.as('admin') });
        expect(reply.body.instances[1].persistence).toMatchObject({ writes: 1, writtenBytes: written });
    });
});
