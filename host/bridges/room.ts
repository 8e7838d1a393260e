/** Rocket.Chat's AppRoomBridge over the shared workspace: the room converter reads the creator, getMembers every member. */
import { IRoom, RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms/IRoomRaw';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { GetMessagesOptions, GetRoomsFilters, GetRoomsOptions } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';

import { toAppRoomRaw } from '../convert';
import { randomId } from '../documents';
import { InstanceContext, NotImplementedError } from './context';

export class HostRoomBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async create(room: IRoom, members: Array<string>): Promise<string> {
        const id = randomId();
        const userIds = members.map((username) => this.ctx.state.getUserByUsername(username)?._id).filter((x): x is string => typeof x === 'string');
        const creator = room.creator?.id;
        if (creator && !userIds.includes(creator)) userIds.unshift(creator);
        this.ctx.state.rooms.set(id, {
            _id: id,
            name: room.type === RoomType.DIRECT_MESSAGE ? undefined : room.slugifiedName,
            t: room.type as 'c' | 'p' | 'd',
            members: [],
            // Rocket.Chat gives the creator the room's owner role.
            ...(room.type !== RoomType.DIRECT_MESSAGE && creator && { owners: [creator] }),
        });
        for (const uid of userIds) this.ctx.state.addMember(id, uid);
        return id;
    }

    /** Rocket.Chat's room converter reads the creator's user document. */
    private async _appRoom(roomId: string | undefined): Promise<IRoom | undefined> {
        const room = roomId === undefined ? undefined : this.ctx.state.rooms.get(roomId);
        if (!room) return undefined;
        if (this.ctx.state.roomCreatorId(room)) await this.ctx.readUsers(1);
        return this.ctx.state.appRoom(room._id);
    }

    private _byName(roomName: string) {
        return [...this.ctx.state.rooms.values()].find((room) => room.name === roomName);
    }

    private async _creator(roomId: string | undefined): Promise<IUser | undefined> {
        const room = roomId === undefined ? undefined : this.ctx.state.rooms.get(roomId);
        const creator = room && this.ctx.state.roomCreatorId(room);
        if (!creator) return undefined;
        await this.ctx.readUsers(1);
        return this.ctx.state.appUser(creator);
    }

    async getById(roomId: string): Promise<IRoom> {
        return (await this._appRoom(roomId)) as IRoom;
    }

    async getByName(roomName: string): Promise<IRoom> {
        return (await this._appRoom(this._byName(roomName)?._id)) as IRoom;
    }

    async getCreatorById(roomId: string): Promise<IUser | undefined> {
        return this._creator(roomId);
    }

    async getCreatorByName(roomName: string): Promise<IUser | undefined> {
        return this._creator(this._byName(roomName)?._id);
    }

    async getDirectByUsernames(usernames: Array<string>): Promise<IRoom | undefined> {
        const ids = usernames.map((u) => this.ctx.state.getUserByUsername(u)?._id);
        if (ids.some((id) => !id)) return undefined;
        for (const room of this.ctx.state.rooms.values()) {
            if (room.t === 'd' && ids.every((id) => room.members.includes(id as string))) return this.ctx.state.appRoom(room._id);
        }
        return undefined;
    }

    /** As Rocket.Chat: the room's subscriptions, then one user read per member. */
    async getMembers(roomId: string): Promise<Array<IUser>> {
        const room = this.ctx.state.rooms.get(roomId);
        if (!room) return [];
        await this.ctx.readUsers(room.members.length);
        const out: IUser[] = [];
        for (const id of room.members) {
            const user = this.ctx.state.appUser(id);
            if (user) out.push(user);
        }
        return out;
    }

    async getAllRooms(filters: GetRoomsFilters = {}, options: GetRoomsOptions = {}): Promise<Array<IRoomRaw>> {
        // The engine's accessor refuses a limit outside 1-100: at most 100 rooms a page.
        const { limit = 100, skip = 0 } = options;
        const types = filters.types && filters.types.length ? new Set<string>(filters.types as string[]) : undefined;
        const out: IRoomRaw[] = [];
        if (filters.discussions === true || filters.teams === true) return out; // the host has neither
        // The database walks the rooms it skips (counted as such); the host jumps to the page.
        const rooms = types ? this.ctx.state.roomList().filter((room) => types.has(room.t)) : this.ctx.state.roomList();
        for (let i = skip; i < rooms.length && out.length < limit; i++) {
            const room = rooms[i];
            const creatorId = this.ctx.state.roomCreatorId(room);
            const creator = creatorId ? this.ctx.state.getUser(creatorId) : undefined;
            out.push(
                toAppRoomRaw(room, creator && { _id: creator._id, username: creator.username, ...(creator.name && { name: creator.name }) }, () =>
                    room.members.map((m) => this.ctx.state.getUser(m)?.username).filter((x): x is string => !!x),
                ),
            );
        }
        this.ctx.readRooms(Math.min(skip, rooms.length) + out.length);
        return out;
    }

    async update(room: IRoom, members: Array<string> = []): Promise<void> {
        const stored = room.id && this.ctx.state.rooms.get(room.id);
        if (!stored) throw new Error('A room must exist to update.');
        if (room.slugifiedName && stored.t !== 'd') stored.name = room.slugifiedName;
        for (const username of members) {
            const user = this.ctx.state.getUserByUsername(username);
            if (user) this.ctx.state.addMember(stored._id, user._id);
        }
    }

    async createDiscussion(): Promise<string> {
        throw new NotImplementedError('RoomBridge.createDiscussion');
    }

    async delete(roomId: string): Promise<void> {
        const room = this.ctx.state.rooms.get(roomId);
        if (!room) return;
        for (const m of [...room.members]) this.ctx.state.removeMember(roomId, m);
        this.ctx.state.rooms.delete(roomId);
    }

    async getModerators(): Promise<Array<IUser>> {
        return [];
    }

    /** The members holding the room's owner role, one user read each. */
    async getOwners(roomId: string): Promise<Array<IUser>> {
        const owners = this.ctx.state.rooms.get(roomId)?.owners ?? [];
        await this.ctx.readUsers(owners.length);
        return owners.map((id) => this.ctx.state.appUser(id)).filter((u): u is IUser => !!u);
    }

    async getLeaders(): Promise<Array<IUser>> {
        return [];
    }

    async getMessages(roomId: string, options: GetMessagesOptions): Promise<never[]> {
        void roomId;
        void options;
        throw new NotImplementedError('RoomBridge.getMessages');
    }

    async removeUsers(roomId: string, usernames: Array<string>): Promise<void> {
        for (const username of usernames) {
            const user = this.ctx.state.getUserByUsername(username);
            if (user) this.ctx.state.removeMember(roomId, user._id);
        }
    }

    async getUnreadByUser(): Promise<never[]> {
        throw new NotImplementedError('RoomBridge.getUnreadByUser');
    }

    async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }
}
