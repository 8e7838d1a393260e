/**
 * Joining and leaving rooms, as Rocket.Chat's addUserToRoom and
 * removeUserFromRoom do, with the app events they fire on the instance that
 * handled the request (see host/README.md, "Room membership and its events"):
 *
 * - `IPostRoomUserJoined` `{room, joiningUser, invitingUser}` for channels and
 *   private groups only, on the next tick and not awaited (Rocket.Chat fires it
 *   from `process.nextTick` with `void`): the request may be answered before
 *   the app has handled it. Rocket.Chat's listener bridge names the inviter
 *   `invitingUser`; the engine's typing says `inviter`, which stays undefined.
 * - `IPostRoomUserLeave` `{room, leavingUser, removedBy}` for any room type,
 *   awaited.
 *
 * `room` is the room as read before the change. No event for the default
 * channels a new user joins (addUserToDefaultChannels creates subscriptions
 * directly), nor for the rooms a deleted user leaves (deleteUser removes
 * subscriptions in bulk), nor for rooms deactivation removes.
 *
 * The REST routes: `channels.invite`, `channels.kick`, `groups.invite`,
 * `groups.kick` (admins, standing for Rocket.Chat's add-user/remove-user
 * permissions), `channels.join`, `channels.leave`, `groups.leave` (the caller).
 */
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';

import { StoredUser, toAppUser } from './convert';
import { checkProps, failure, HttpError, requireObject } from './http';
import type { Instance } from './instance';
import { restRoom } from './rooms';
import type { WorkspaceState } from './state';
import type { WorkspaceRoom } from './workspace';

export type MembershipRoute = (caller: StoredUser, body: unknown) => Promise<unknown>;

const NOT_ADMIN = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };
const LAST_OWNER = 'You are the last owner. Please set new owner before leaving the room. [error-you-are-last-owner]';

/** Rocket.Chat's addUserToRoom: false when the user already is a member (nothing happens, no event). */
export function addUserToRoom(instance: Instance, state: WorkspaceState, roomId: string, user: StoredUser, inviter?: StoredUser): boolean {
    const before = state.appRoom(roomId);
    const room = state.rooms.get(roomId);
    if (!room || !before) throw failure('Invalid room [error-invalid-room]', 'error-invalid-room');
    if (!state.addMember(roomId, user._id)) return false;
    if (room.t === 'c' || room.t === 'p') {
        const payload = { room: before, joiningUser: toAppUser(user), invitingUser: inviter && toAppUser(inviter) };
        process.nextTick(() => {
            if (!instance.running) return;
            instance
                .fire(AppInterface.IPostRoomUserJoined, payload)
                .catch((e: unknown) => instance.log(`IPostRoomUserJoined failed: ${(e as Error)?.message ?? e}`));
        });
    }
    return true;
}

/** Rocket.Chat's removeUserFromRoom: the user leaves (if a member), then IPostRoomUserLeave, awaited. */
export async function removeUserFromRoom(instance: Instance, state: WorkspaceState, roomId: string, user: StoredUser, byUser?: StoredUser): Promise<void> {
    const before = state.appRoom(roomId);
    if (!before) return;
    state.removeMember(roomId, user._id);
    try {
        await instance.fire(AppInterface.IPostRoomUserLeave, { room: before, leavingUser: toAppUser(user), removedBy: byUser && toAppUser(byUser) });
    } catch (e) {
        throw failure((e as Error)?.message || String(e));
    }
}

/** The room routes of one instance, by path. */
export function membershipRoutes(instance: Instance, state: WorkspaceState): Record<string, MembershipRoute> {
    const roomOf = (body: Record<string, unknown>, type: 'c' | 'p'): WorkspaceRoom => {
        const kind = type === 'c' ? 'channel' : 'group';
        if (body.roomId === undefined && body.roomName === undefined)
            throw failure('The parameter "roomId" or "roomName" is required [error-room-param-not-provided]', 'error-room-param-not-provided');
        const room =
            typeof body.roomId === 'string'
                ? state.rooms.get(body.roomId)
                : [...state.rooms.values()].find((r) => r.name !== undefined && r.name === body.roomName);
        if (!room || room.t !== type)
            throw failure(`The required "roomId" or "roomName" param provided does not match any ${kind} [error-room-not-found]`, 'error-room-not-found');
        return room;
    };
    const usersOf = (body: Record<string, unknown>): StoredUser[] => {
        const wanted = Array.isArray(body.userIds) ? body.userIds : body.userId !== undefined ? [body.userId] : [];
        const byName = typeof body.username === 'string' ? [state.getUserByUsername(body.username)] : [];
        const users = [...wanted.map((id) => (typeof id === 'string' ? state.getUser(id) : undefined)), ...byName];
        if (!users.length || users.some((u) => !u))
            throw failure('The required "userId" or "username" param provided does not match any users [error-invalid-user]', 'error-invalid-user');
        return users as StoredUser[];
    };
    const requireAdmin = (caller: StoredUser) => {
        if (!caller.roles?.includes('admin')) throw new HttpError(403, NOT_ADMIN);
    };
    const answer = (room: WorkspaceRoom) => ({ [room.t === 'c' ? 'channel' : 'group']: restRoom(state.rooms.get(room._id) ?? room, state), success: true });
    const refuseLastOwner = (room: WorkspaceRoom, user: StoredUser) => {
        if (room.owners?.length === 1 && room.owners[0] === user._id) throw failure(LAST_OWNER, 'error-you-are-last-owner');
    };

    const invite =
        (type: 'c' | 'p'): MembershipRoute =>
        async (caller, input) => {
            requireAdmin(caller);
            const body = requireObject(input);
            checkProps(body, { roomId: 'string', roomName: 'string', userId: 'string', userIds: 'array', username: 'string' }, []);
            const room = roomOf(body, type);
            for (const user of usersOf(body)) addUserToRoom(instance, state, room._id, user, caller);
            return answer(room);
        };
    const kick =
        (type: 'c' | 'p'): MembershipRoute =>
        async (caller, input) => {
            requireAdmin(caller);
            const body = requireObject(input);
            checkProps(body, { roomId: 'string', roomName: 'string', userId: 'string', username: 'string' }, []);
            const room = roomOf(body, type);
            const [user] = usersOf(body);
            if (!room.members.includes(user._id)) throw failure('User is not in this room [error-user-not-in-room]', 'error-user-not-in-room');
            refuseLastOwner(room, user);
            await removeUserFromRoom(instance, state, room._id, user, caller);
            return answer(room);
        };
    const leave =
        (type: 'c' | 'p'): MembershipRoute =>
        async (caller, input) => {
            const body = requireObject(input);
            checkProps(body, { roomId: 'string', roomName: 'string' }, []);
            const room = roomOf(body, type);
            if (!room.members.includes(caller._id)) throw failure('You are not in this room [error-user-not-in-room]', 'error-user-not-in-room');
            refuseLastOwner(room, caller);
            await removeUserFromRoom(instance, state, room._id, caller);
            return answer(room);
        };
    const join: MembershipRoute = async (caller, input) => {
        const body = requireObject(input);
        checkProps(body, { roomId: 'string', roomName: 'string', joinCode: 'string' }, []);
        const room = roomOf(body, 'c');
        addUserToRoom(instance, state, room._id, caller);
        return answer(room);
    };

    return {
        '/api/v1/channels.invite': invite('c'),
        '/api/v1/channels.kick': kick('c'),
        '/api/v1/channels.join': join,
        '/api/v1/channels.leave': leave('c'),
        '/api/v1/groups.invite': invite('p'),
        '/api/v1/groups.kick': kick('p'),
        '/api/v1/groups.leave': leave('p'),
    };
}
