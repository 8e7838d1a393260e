/**
 * Rocket.Chat's `setUserActiveStatus` (app/lib/server/functions) over the
 * host's workspace: what `users.setActiveStatus`, `users.update` with
 * `active` and the apps' `IUserUpdater.deactivate` all go through. The same
 * refusals with the same errors (federated user, last active admin, last
 * owner of a room or its only member unless `confirmRelinquish`), the
 * ownership hand-over when it is confirmed, and the direct rooms turned
 * read-only on deactivation (and writable again on reactivation where the
 * other member is active).
 */
import type { StoredUser } from './convert';
import type { WorkspaceState } from './state';
import type { WorkspaceRoom } from './workspace';

/** A Meteor.Error: `message` is `reason [error]`, or `[error]` without a reason. */
export class MeteorError extends Error {
    constructor(
        readonly error: string,
        readonly reason = '',
        readonly details?: unknown,
    ) {
        super(reason ? `${reason} [${error}]` : `[${error}]`);
    }
}

/** One room the user belongs to, as Rocket.Chat's getSubscribedRoomsForUserWithDetails sees it. */
interface SubscribedRoom {
    room: WorkspaceRoom;
    shouldBeRemoved: boolean;
    shouldChangeOwner: boolean;
    newOwner?: string;
}

const isActive = (user: StoredUser | undefined): boolean => !!user && user.active !== false;

const isAdmin = (user: StoredUser): boolean => !!user.roles?.includes('admin');

export function countActiveAdmins(state: WorkspaceState): number {
    let n = 0;
    for (const user of state.users.values()) if (isActive(user) && isAdmin(user)) n++;
    return n;
}

/** The user's rooms other than direct ones: where deactivating would leave no owner, or no member. */
function subscribedRooms(state: WorkspaceState, user: StoredUser): SubscribedRoom[] {
    const out: SubscribedRoom[] = [];
    for (const roomId of state.roomIdsOf(user._id)) {
        const room = state.rooms.get(roomId);
        if (!room || room.t === 'd') continue;
        const entry: SubscribedRoom = { room, shouldBeRemoved: false, shouldChangeOwner: false };
        const owners = room.owners ?? [];
        if (owners.includes(user._id)) {
            if (owners.length === 1) {
                // The first other member (in joining order) who is active becomes the owner; with none, the room goes.
                entry.newOwner = room.members.find((id) => id !== user._id && isActive(state.getUser(id)));
                entry.shouldChangeOwner = !!entry.newOwner;
                entry.shouldBeRemoved = !entry.newOwner;
            }
        } else {
            entry.shouldBeRemoved = room.members.length === 1;
        }
        out.push(entry);
    }
    return out;
}

const roomLabel = (room: WorkspaceRoom): string => (room as { fname?: string }).fname ?? room.name ?? room._id;

/**
 * Throws what Rocket.Chat throws before deactivating `user` (checked in its
 * order); answers the rooms to hand over or remove when it may go ahead.
 */
export function checkDeactivation(state: WorkspaceState, user: StoredUser, confirmRelinquish: boolean): SubscribedRoom[] {
    if (user.federated === true) throw new MeteorError('error-user-is-federated', 'Cannot change federated users status');
    if (user.username == null) return [];
    if (isAdmin(user) && countActiveAdmins(state) === 1) {
        throw new MeteorError('error-action-not-allowed', 'Leaving the app without an active admin is not allowed');
    }
    const rooms = subscribedRooms(state, user);
    const changes = rooms.filter((r) => r.shouldBeRemoved || r.shouldChangeOwner);
    if (changes.length && !confirmRelinquish) {
        throw new MeteorError('user-last-owner', '', {
            shouldBeRemoved: changes.filter((r) => r.shouldBeRemoved).map((r) => roomLabel(r.room)),
            shouldChangeOwner: changes.filter((r) => r.shouldChangeOwner).map((r) => roomLabel(r.room)),
        });
    }
    return rooms;
}

/** Rooms.setDmReadOnlyByUserId: the user's two-member direct rooms (those listed, when `only` is given). */
function setDmReadOnly(state: WorkspaceState, userId: string, readOnly: boolean, only?: Set<string>): void {
    for (const roomId of state.roomIdsOf(userId)) {
        const room = state.rooms.get(roomId);
        if (room?.t !== 'd' || room.members.length !== 2 || (only && !only.has(roomId))) continue;
        room.ro = readOnly;
        state.touchRoom(room);
    }
}

/**
 * Changes a user's active status as Rocket.Chat does. Answers false for an
 * unknown user (Rocket.Chat's function does), true otherwise; throws a
 * MeteorError for a refusal. Fires no app event.
 */
export function setUserActiveStatus(state: WorkspaceState, userId: string, active: boolean, confirmRelinquish = false): boolean {
    const user = state.getUser(userId);
    if (!user) return false;
    if (user.federated === true) throw new MeteorError('error-user-is-federated', 'Cannot change federated users status');
    if (!active) {
        for (const { room, shouldBeRemoved, newOwner } of checkDeactivation(state, user, confirmRelinquish)) {
            if (newOwner) room.owners = [...(room.owners ?? []), newOwner];
            else if (shouldBeRemoved) state.deleteRoom(room._id);
        }
    }
    state.replaceUser({ ...user, active, _updatedAt: new Date().toISOString() });
    if (!active) {
        setDmReadOnly(state, userId, true);
    } else {
        // Only where the other member is active too (both may have been deactivated).
        const writable = new Set(
            state.roomIdsOf(userId).filter((roomId) => {
                const room = state.rooms.get(roomId);
                const other = room?.t === 'd' ? room.members.find((id) => id !== userId) : undefined;
                return isActive(state.getUser(other ?? ''));
            }),
        );
        setDmReadOnly(state, userId, false, writable);
    }
    return true;
}
