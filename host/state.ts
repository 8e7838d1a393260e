/**
 * The in-memory workspace the bridges read and the admin routes change:
 * users (Rocket.Chat documents), rooms with members, messages, views and
 * uploads. Part of the shared store: every instance of a cluster sees the
 * same.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { StoredUser, toAppRoom, toAppUser } from './convert';
import type { Workspace, WorkspaceRoom } from './workspace';

export class WorkspaceState {
    readonly users = new Map<string, StoredUser>();

    private readonly byUsername = new Map<string, string>();

    readonly rooms = new Map<string, WorkspaceRoom>();

    /** Grows with every change of a user or a room (to know whether there is anything new to save). */
    changes = 0;

    /** userId -> room ids */
    private readonly memberships = new Map<string, Set<string>>();

    private readonly appUserCache = new Map<string, IUser>();

    /** Messages the app sent (capped), by id. */
    readonly messages = new Map<string, IMessage>();

    /** Views the app opened or updated, by view id (for view submits by id). */
    readonly views = new Map<string, Record<string, unknown>>();

    /** Uploaded file buffers, by upload id. */
    readonly uploadBuffers = new Map<string, { details: Record<string, unknown>; buffer: Buffer }>();

    constructor(workspace: Workspace, loadedAt = new Date().toISOString()) {
        for (const u of workspace.users) {
            const copy = JSON.parse(JSON.stringify(u)) as StoredUser;
            this.users.set(copy._id, copy);
            this.byUsername.set(copy.username.toLowerCase(), copy._id);
        }
        for (const r of workspace.rooms) {
            const room: WorkspaceRoom = { ...r, members: [...r.members], ts: r.ts ?? loadedAt, _updatedAt: r._updatedAt ?? loadedAt };
            this.rooms.set(room._id, room);
            for (const m of room.members) this.membershipsOf(m).add(room._id);
        }
    }

    private membershipsOf(userId: string): Set<string> {
        let set = this.memberships.get(userId);
        if (!set) {
            set = new Set();
            this.memberships.set(userId, set);
        }
        return set;
    }

    // ---- users -----------------------------------------------------------

    getUser(id: string): StoredUser | undefined {
        return this.users.get(id);
    }

    getUserByUsername(username: string): StoredUser | undefined {
        const id = this.byUsername.get(String(username).toLowerCase());
        return id === undefined ? undefined : this.users.get(id);
    }

    /** The engine's IUser for a user id (cached until the user changes). */
    appUser(id: string): IUser | undefined {
        const cached = this.appUserCache.get(id);
        if (cached) return cached;
        const user = this.users.get(id);
        if (!user) return undefined;
        const converted = toAppUser(user);
        this.appUserCache.set(id, converted);
        return converted;
    }

    isUsernameTaken(username: string, exceptId?: string): boolean {
        const id = this.byUsername.get(username.toLowerCase());
        return id !== undefined && id !== exceptId;
    }

    isEmailTaken(address: string, exceptId?: string): boolean {
        const wanted = address.toLowerCase();
        for (const u of this.users.values()) {
            if (u._id === exceptId) continue;
            if (u.emails?.some((e) => e.address.toLowerCase() === wanted)) return true;
        }
        return false;
    }

    insertUser(user: StoredUser): void {
        if (this.users.has(user._id)) throw new Error(`A user with _id "${user._id}" already exists`);
        if (this.isUsernameTaken(user.username)) throw new Error(`The username "${user.username}" is already in use`);
        this.users.set(user._id, user);
        this.byUsername.set(user.username.toLowerCase(), user._id);
        this.changes++;
    }

    /** Replaces a user's document (same _id); keeps indexes in sync. */
    replaceUser(user: StoredUser): void {
        const previous = this.users.get(user._id);
        if (!previous) throw new Error(`No user with _id "${user._id}"`);
        if (previous.username.toLowerCase() !== user.username.toLowerCase()) {
            this.byUsername.delete(previous.username.toLowerCase());
            this.byUsername.set(user.username.toLowerCase(), user._id);
        }
        this.users.set(user._id, user);
        this.appUserCache.delete(user._id);
        this.changes++;
        // Rocket.Chat renames the user in the `usernames` of their direct rooms.
        if (previous.username !== user.username) for (const room of this.directRoomsOf(user._id)) this.touchRoom(room);
    }

    /**
     * As Rocket.Chat's deleteUser: the user's direct rooms with one other
     * member are removed, the user leaves every other room (no leave event).
     */
    deleteUser(id: string): StoredUser | undefined {
        const user = this.users.get(id);
        if (!user) return undefined;
        this.users.delete(id);
        this.byUsername.delete(user.username.toLowerCase());
        this.appUserCache.delete(id);
        this.changes++;
        for (const room of this.directRoomsOf(id)) if (room.members.length <= 2) this.deleteRoom(room._id);
        for (const rid of this.roomIdsOf(id)) this.removeMember(rid, id);
        this.memberships.delete(id);
        return user;
    }

    /**
     * The user whose X-User-Id / X-Auth-Token pair matches (the user's
     * `authToken` or one of its personal access tokens); deactivated users
     * cannot log in.
     */
    authenticate(userId: unknown, token: unknown): StoredUser | undefined {
        if (typeof userId !== 'string' || typeof token !== 'string' || !userId || !token) return undefined;
        const user = this.users.get(userId);
        if (!user || user.active === false) return undefined;
        const matches = user.authToken === token || !!user.personalAccessTokens?.some((t) => t.token === token);
        return matches ? user : undefined;
    }

    // ---- rooms -----------------------------------------------------------

    roomIdsOf(userId: string): string[] {
        return [...(this.memberships.get(userId) ?? [])];
    }

    /** The user's direct rooms. */
    directRoomsOf(userId: string): WorkspaceRoom[] {
        return this.roomIdsOf(userId)
            .map((rid) => this.rooms.get(rid))
            .filter((room): room is WorkspaceRoom => room?.t === 'd');
    }

    /** Rocket.Chat's models set `_updatedAt` on every update of a room document. */
    touchRoom(room: WorkspaceRoom, at = new Date().toISOString()): void {
        room._updatedAt = at;
        this.changes++;
    }

    /** Adds a member (the room's member count and system message change it: updatedAt); false if the user already is one. */
    addMember(roomId: string, userId: string): boolean {
        const room = this.rooms.get(roomId);
        if (!room || room.members.includes(userId)) return false;
        room.members.push(userId);
        this.membershipsOf(userId).add(roomId);
        this.touchRoom(room);
        return true;
    }

    /** Removes a member (updatedAt as for a join); false if the user was none. */
    removeMember(roomId: string, userId: string): boolean {
        const room = this.rooms.get(roomId);
        if (!room || !room.members.includes(userId)) return false;
        room.members = room.members.filter((m) => m !== userId);
        this.memberships.get(userId)?.delete(roomId);
        this.touchRoom(room);
        return true;
    }

    private roomListCache?: { changes: number; size: number; list: WorkspaceRoom[] };

    /** The rooms in their order, as a list to page through (kept until a change). */
    roomList(): WorkspaceRoom[] {
        const cache = this.roomListCache;
        if (cache && cache.changes === this.changes && cache.size === this.rooms.size) return cache.list;
        const list = [...this.rooms.values()];
        this.roomListCache = { changes: this.changes, size: this.rooms.size, list };
        return list;
    }

    /** Removes a room with its memberships (and the messages sent there). */
    deleteRoom(roomId: string): void {
        const room = this.rooms.get(roomId);
        if (!room) return;
        for (const m of room.members) this.memberships.get(m)?.delete(roomId);
        this.rooms.delete(roomId);
        this.changes++;
        for (const [id, message] of this.messages) if (message.room?.id === roomId) this.messages.delete(id);
    }

    roomCreatorId(room: WorkspaceRoom): string | undefined {
        const explicit = (room as { u?: { _id?: string } }).u?._id;
        if (explicit) return explicit;
        if (room.t === 'd') return undefined;
        if (room.members.includes('admin')) return 'admin';
        return room.members[0];
    }

    appRoom(roomId: string): IRoom | undefined {
        const room = this.rooms.get(roomId);
        if (!room) return undefined;
        const creatorId = this.roomCreatorId(room);
        return toAppRoom(room, creatorId ? this.appUser(creatorId) : undefined);
    }

    /** Keeps a message the app sent; its room's last message time (`lm`) and updatedAt move. */
    saveMessage(message: IMessage): void {
        const room = message.room?.id ? this.rooms.get(message.room.id) : undefined;
        if (room) {
            const at = new Date().toISOString();
            room.lm = at;
            this.touchRoom(room, at);
        }
        this.messages.set(message.id as string, message);
        if (this.messages.size > 10000) this.messages.delete(this.messages.keys().next().value as string);
    }
}
