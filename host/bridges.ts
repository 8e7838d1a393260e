/**
 * The Apps-Engine bridges of one instance, behaving like Rocket.Chat's own
 * bridges (apps/meteor/app/apps/server/bridges/*) where the app can observe
 * the difference. They read and write the shared store (users, rooms,
 * messages, persistence, settings, scheduler jobs) and keep what belongs to
 * the instance with it (endpoints, slash commands, listeners, what the app
 * produced for the requests running there). Every call is counted in the
 * instance's stats, and so are the user documents the server reads for it.
 *
 * The implementations are plain classes; `adapt` turns each into an object
 * of the running engine's own bridge class (the engine checks `instanceof`
 * and wraps our methods in its permission checks).
 */
import * as crypto from 'crypto';

import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms/IRoomRaw';
import type { IOnetimeSchedule, IProcessor, IRecurringSchedule } from '@rocket.chat/apps-engine/definition/scheduler';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ISlashCommand } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUIKitIncomingInteraction } from '@rocket.chat/apps-engine/definition/uikit/IUIKitIncomingInteraction';
import type { IUIKitInteraction } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUpload } from '@rocket.chat/apps-engine/definition/uploads';
import type { IUploadDetails } from '@rocket.chat/apps-engine/definition/uploads/IUploadDetails';
import type { IUser, IUserCreationOptions, UserType } from '@rocket.chat/apps-engine/definition/users';
import type { IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';
import type {
    AppBridges,
    CloudWorkspaceBridge,
    ContactBridge,
    EmailBridge,
    ExperimentalBridge,
    IHttpBridgeRequestInfo,
    IInternalBridge,
    IInternalFederationBridge,
    IListenerBridge,
    LivechatBridge,
    ModerationBridge,
    OutboundMessageBridge,
    RoleBridge,
    VideoConferenceBridge,
} from '@rocket.chat/apps-engine/server/bridges';
import type { OAuthAppsBridge } from '@rocket.chat/apps-engine/server/bridges/OAuthAppsBridge';
import type { ThreadBridge } from '@rocket.chat/apps-engine/server/bridges/ThreadBridge';
import type { GetRoomsFilters, GetRoomsOptions, GetMessagesOptions } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';
import type { ITypingDescriptor } from '@rocket.chat/apps-engine/server/bridges/MessageBridge';
import type { AppApi } from '@rocket.chat/apps-engine/server/managers/AppApi';

import { setUserActiveStatus } from './activeStatus';
import { fromAppUser, StoredUser, toAppRoomRaw } from './convert';
import type { Engine } from './engine';
import { parseInterval, parseWhen } from './schedule';
import { ProducedLog, randomId, WorkspaceState } from './state';
import type { Association, SharedStore } from './store';

export interface RegisteredEndpoint {
    appId: string;
    path: string;
    computedPath: string;
    visibility: 'public' | 'private';
    hash?: string;
    authRequired: boolean;
    methods: string[];
    /** compiled matcher for the endpoint path (Express 4 style, `:param` segments) */
    match: (path: string) => Record<string, string> | undefined;
}

/** What the bridges of one instance work with. */
export interface InstanceContext {
    /** The instance's number in its cluster (1, 2, ...). */
    number: number;
    store: SharedStore;
    /** The shared workspace (store.workspace). */
    state: WorkspaceState;
    produced: ProducedLog;
    manager(): AppManager | undefined;
    siteUrl(): string;
    log(line: string): void;
    /** Counts one bridge call (`<Bridge>.<method>`). */
    countCall(key: string): void;
    /** Counts `count` user documents read by the server (and takes the simulated time for them). */
    readUsers(count: number): Promise<void>;
}

class NotImplementedError extends Error {
    constructor(what: string) {
        super(`${what} is not implemented by the local workspace host`);
    }
}

/** Express 4 (path-to-regexp 0.1) compatible matcher for `a/:b/c` paths. */
export function compilePath(pattern: string): (path: string) => Record<string, string> | undefined {
    const keys: string[] = [];
    let source = pattern.trim().replace(/^\/+/, '');
    source = source
        .split('/')
        .map((segment) => {
            const m = segment.match(/^:([A-Za-z0-9_]+)(\?)?$/);
            if (m) {
                keys.push(m[1]);
                return m[2] ? '(?:([^/]+?))?' : '([^/]+?)';
            }
            if (segment === '*') {
                keys.push(String(keys.length));
                return '(.*)';
            }
            return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
    const re = new RegExp(`^/?${source}/?$`, 'i');
    return (path: string) => {
        const m = re.exec(path);
        if (!m) return undefined;
        const params: Record<string, string> = {};
        keys.forEach((key, i) => {
            const value = m[i + 1];
            if (value === undefined) return;
            try {
                params[key] = decodeURIComponent(value);
            } catch {
                params[key] = value;
            }
        });
        return params;
    };
}

// ---------------------------------------------------------------------------

class HostUserBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async getById(id: string): Promise<IUser> {
        await this.ctx.readUsers(1);
        return this.ctx.state.appUser(id) as IUser;
    }

    async getByUsername(username: string): Promise<IUser> {
        await this.ctx.readUsers(1);
        const user = this.ctx.state.getUserByUsername(username);
        return (user && this.ctx.state.appUser(user._id)) as IUser;
    }

    async getAppUser(appId?: string): Promise<IUser | undefined> {
        if (!appId) return undefined;
        await this.ctx.readUsers(1);
        for (const user of this.ctx.state.users.values()) {
            if (user.appId === appId) return this.ctx.state.appUser(user._id);
        }
        return undefined;
    }

    /** Users.getActiveLocalUserCount: the seats (active, not a bot or app, not federated or remote, roles not exactly ['guest']). */
    async getActiveUserCount(): Promise<number> {
        let n = 0;
        for (const user of this.ctx.state.users.values()) {
            const onlyGuest = user.roles?.length === 1 && user.roles[0] === 'guest';
            const remote = (user as { isRemote?: boolean }).isRemote === true;
            if (user.active !== false && user.type !== 'bot' && user.type !== 'app' && user.federated !== true && !remote && !onlyGuest) n++;
        }
        return n;
    }

    async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }

    async getUserRoomIds(userId: string): Promise<string[]> {
        return this.ctx.state.roomIdsOf(userId);
    }

    async create(data: Partial<IUser>, appId: string, options?: IUserCreationOptions): Promise<string> {
        void options;
        const user = fromAppUser(data) as StoredUser;
        if (!user._id) user._id = randomId();
        const now = new Date().toISOString();
        if (!user.createdAt) user.createdAt = now;
        user._updatedAt = now;
        switch (user.type) {
            case 'bot':
            case 'app':
                if (!user.username || this.ctx.state.isUsernameTaken(user.username)) {
                    throw new Error(`The username "${user.username}" is already being used. Rename or remove the user using it to install this App`);
                }
                this.ctx.state.insertUser(user);
                break;
            default:
                throw new Error('Creating normal users is currently not supported');
        }
        this.ctx.log(`created ${user.type} user ${user.username} for app ${appId}`);
        return user._id;
    }

    async remove(user: IUser): Promise<boolean> {
        if (!user) return true;
        this.ctx.state.deleteUser(user.id);
        return true;
    }

    async update(user: IUser, updates: Partial<IUser>): Promise<boolean> {
        if (!user) throw new Error('User not provided');
        const stored = this.ctx.state.getUser(user.id);
        if (!stored || !Object.keys(updates).length) return true;
        const next: StoredUser = { ...stored };
        const u = updates as Record<string, unknown>;
        for (const [key, value] of Object.entries(u)) {
            // The engine passes IUser field names; map the ones whose names differ.
            const map: Record<string, string> = {
                isEnabled: 'active',
                lastLoginAt: 'lastLogin',
                updatedAt: '_updatedAt',
                sipExtension: 'freeSwitchExtension',
                isFederated: 'federated',
            };
            const target = map[key] ?? key;
            (next as unknown as Record<string, unknown>)[target] = value instanceof Date ? value.toISOString() : value;
        }
        next._updatedAt = new Date().toISOString();
        this.ctx.state.replaceUser(next);
        return true;
    }

    async deleteUsersCreatedByApp(appId: string, type: UserType.APP | UserType.BOT): Promise<boolean> {
        let deleted = false;
        for (const user of [...this.ctx.state.users.values()]) {
            if (user.appId === appId && user.type === type) {
                this.ctx.state.deleteUser(user._id);
                deleted = true;
            }
        }
        return deleted;
    }

    /**
     * IUserUpdater.deactivate (the engine checks `user.write` first): as
     * Rocket.Chat's AppUserBridge, the user converted by id (an unknown id
     * fails on the missing user), then setUserActiveStatus(id, false,
     * confirmRelinquish) with its refusals; no app event.
     */
    async deactivate(userId: string, confirmRelinquish: boolean): Promise<boolean> {
        if (!userId) throw new Error('Invalid user id');
        await this.ctx.readUsers(1);
        const user = this.ctx.state.getUser(userId);
        if (!user) throw new TypeError("Cannot read properties of undefined (reading 'id')");
        setUserActiveStatus(this.ctx.state, user._id, false, confirmRelinquish === true);
        return true;
    }
}

class HostRoomBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async create(room: IRoom, members: Array<string>): Promise<string> {
        const id = randomId();
        const userIds = members.map((username) => this.ctx.state.getUserByUsername(username)?._id).filter((x): x is string => typeof x === 'string');
        const creator = room.creator?.id;
        if (creator && !userIds.includes(creator)) userIds.unshift(creator);
        const t = room.type as 'c' | 'p' | 'd';
        this.ctx.state.rooms.set(id, {
            _id: id,
            name: t === 'd' ? undefined : room.slugifiedName,
            t,
            members: [],
            ...(t !== 'd' && creator && { owners: [creator] }),
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
        let seen = 0;
        for (const room of this.ctx.state.rooms.values()) {
            if (types && !types.has(room.t)) continue;
            if (filters.discussions === true || filters.teams === true) continue; // the host has neither
            if (seen++ < skip) continue;
            const creatorId = this.ctx.state.roomCreatorId(room);
            const creator = creatorId ? this.ctx.state.getUser(creatorId) : undefined;
            out.push(
                toAppRoomRaw(room, creator && { _id: creator._id, username: creator.username, ...(creator.name && { name: creator.name }) }, () =>
                    room.members.map((m) => this.ctx.state.getUser(m)?.username).filter((x): x is string => !!x),
                ),
            );
            if (out.length >= limit) break;
        }
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

function messageRecord(message: IMessage, id: string) {
    return {
        id,
        room: message.room?.id,
        text: message.text,
        blocks: message.blocks as unknown[] | undefined,
        attachments: message.attachments as unknown[] | undefined,
        sender: message.sender?.username,
        threadId: message.threadId,
        createdAt: new Date().toISOString(),
    };
}

class HostMessageBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async create(message: IMessage): Promise<string> {
        const id = randomId();
        this.ctx.state.saveMessage({ ...message, id, createdAt: new Date() });
        this.ctx.produced.record('messages', messageRecord(message, id));
        return id;
    }

    async update(message: IMessage): Promise<void> {
        if (!message.id || !this.ctx.state.messages.has(message.id)) throw new Error('A message must exist to update.');
        this.ctx.state.saveMessage({ ...message, updatedAt: new Date() });
        this.ctx.produced.record('messages', { ...messageRecord(message, message.id), updated: true } as ReturnType<typeof messageRecord>);
    }

    async notifyUser(user: IUser, message: IMessage): Promise<void> {
        this.ctx.produced.record('notifications', {
            kind: 'user',
            to: user?.username,
            room: message.room?.id,
            text: message.text,
            blocks: message.blocks,
            sender: message.sender?.username,
            createdAt: new Date().toISOString(),
        });
    }

    async notifyRoom(room: IRoom, message: IMessage): Promise<void> {
        this.ctx.produced.record('notifications', {
            kind: 'room',
            to: room?.id,
            room: room?.id,
            text: message.text,
            blocks: message.blocks,
            sender: message.sender?.username,
            createdAt: new Date().toISOString(),
        });
    }

    async typing(options: ITypingDescriptor): Promise<void> {
        void options;
    }

    async getById(messageId: string): Promise<IMessage> {
        return this.ctx.state.messages.get(messageId) as IMessage;
    }

    async delete(message: IMessage): Promise<void> {
        if (message.id) this.ctx.state.messages.delete(message.id);
    }

    async addReaction(): Promise<void> {
        throw new NotImplementedError('MessageBridge.addReaction');
    }

    async removeReaction(): Promise<void> {
        throw new NotImplementedError('MessageBridge.removeReaction');
    }
}

const plainAssociations = (list: RocketChatAssociationRecord[]): Association[] =>
    (list || []).map((a) => {
        const r = a as unknown as { model?: string; id?: string; getModel?: () => string; getID?: () => string };
        return { model: String(r.model ?? r.getModel?.()), id: String(r.id ?? r.getID?.()) };
    });

function requireObject(data: unknown): void {
    if (typeof data !== 'object') throw new Error('Attempted to store an invalid data type, it must be an object.');
}

/** Rocket.Chat's AppPersistenceBridge over the shared `rocketchat_apps_persistence`. */
class HostPersistenceBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async purge(appId: string): Promise<void> {
        this.ctx.store.persistence.purge(appId);
    }

    async create(data: object, appId: string): Promise<string> {
        requireObject(data);
        return this.ctx.store.persistence.insert(appId, data);
    }

    async createWithAssociations(data: object, associations: Array<RocketChatAssociationRecord>, appId: string): Promise<string> {
        requireObject(data);
        return this.ctx.store.persistence.insert(appId, data, plainAssociations(associations));
    }

    async readById(id: string): Promise<object | undefined> {
        return this.ctx.store.persistence.findById(id);
    }

    async readByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object>> {
        return this.ctx.store.persistence.findAll(appId, plainAssociations(associations));
    }

    async remove(id: string, appId: string): Promise<object | undefined> {
        return this.ctx.store.persistence.removeById(id, appId);
    }

    async removeByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object> | undefined> {
        const removed = this.ctx.store.persistence.removeAll(appId, plainAssociations(associations));
        return removed.length ? removed : undefined;
    }

    async update(id: string, data: object): Promise<string> {
        void id;
        requireObject(data);
        // As in Rocket.Chat: updating a record by id is not implemented there either.
        throw new Error('Not implemented.');
    }

    async updateByAssociations(associations: Array<RocketChatAssociationRecord>, data: object, upsert = true, appId: string): Promise<string> {
        requireObject(data);
        return this.ctx.store.persistence.updateExact(appId, plainAssociations(associations), data, upsert);
    }
}

/** A 24-hex job id (Agenda's ObjectId) as opposed to a processor name. */
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Rocket.Chat's AppSchedulerBridge (Agenda) over the shared job store: the
 * processors are this instance's, the jobs everybody's. See jobs.ts.
 */
class HostSchedulerBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async registerProcessors(processors: Array<IProcessor>, appId: string): Promise<void | Array<string>> {
        const started: Array<Promise<string | undefined>> = [];
        for (const { id, processor, startupSetting } of processors) {
            this.ctx.store.jobs.define(this.ctx.number, id, processor as unknown as (context: Record<string, unknown>) => Promise<unknown>);
            const startup = startupSetting as
                undefined | { type: string; when?: string | Date; interval?: string | number; skipImmediate?: boolean; data?: object };
            if (startup?.type === 'onetime') {
                // Only when no one-time job of that name is waiting (scheduleOnceAfterRegister).
                if (!this.ctx.store.jobs.find({ name: id, type: 'normal' }).length) {
                    started.push(this.scheduleOnce({ id, when: startup.when as string | Date, data: startup.data }, appId) as Promise<string | undefined>);
                }
            } else if (startup?.type === 'recurring') {
                started.push(
                    this.scheduleRecurring(
                        { id, interval: startup.interval as string | number, skipImmediate: startup.skipImmediate, data: startup.data },
                        appId,
                    ) as Promise<string | undefined>,
                );
            }
        }
        if (started.length) return (await Promise.all(started)).filter((x): x is string => !!x);
    }

    /** Agenda `schedule`: always a new job, even when one with that name exists. */
    async scheduleOnce(job: IOnetimeSchedule, appId: string): Promise<void | string> {
        try {
            return this.ctx.store.jobs.schedule(job.id, parseWhen(job.when), { ...(job.data || {}), appId }).id;
        } catch (e) {
            // Rocket.Chat logs a scheduling error and returns nothing.
            this.ctx.log(`scheduleOnce ${job.id}: ${(e as Error).message}`);
        }
    }

    /** Agenda `every`: one job per name, updated by a later call. */
    async scheduleRecurring(job: IRecurringSchedule, appId: string): Promise<void | string> {
        try {
            return this.ctx.store.jobs.every(job.id, parseInterval(job.interval), { ...(job.data || {}), appId }, !!job.skipImmediate).id;
        } catch (e) {
            this.ctx.log(`scheduleRecurring ${job.id}: ${(e as Error).message}`);
        }
    }

    /** By job id when given one (`<id>_<appId>` from the engine), else by processor name. */
    async cancelJob(jobId: string): Promise<void> {
        const head = jobId.split('_')[0];
        this.ctx.store.jobs.cancel(OBJECT_ID.test(head) ? { id: head } : { name: jobId });
    }

    async cancelAllJobs(appId: string): Promise<void> {
        this.ctx.store.jobs.cancel({ nameEndsWith: `_${appId}` });
    }
}

class HostApiBridge {
    readonly endpoints: RegisteredEndpoint[] = [];

    constructor(private readonly ctx: InstanceContext) {}

    async registerApi(api: AppApi, appId: string): Promise<void> {
        const { endpoint, computedPath } = api;
        if (typeof endpoint.path !== 'string') throw new Error('Invalid Api parameter provided, it must be a valid IApi object.');
        const visibility = String(api.api.visibility).toLowerCase().includes('private') ? 'private' : 'public';
        this.endpoints.push({
            appId,
            path: endpoint.path,
            computedPath,
            visibility,
            hash: (api as unknown as { hash?: string }).hash,
            authRequired: !!endpoint.authRequired,
            methods: ((endpoint as unknown as { _availableMethods?: string[] })._availableMethods || []).map(String),
            match: compilePath(endpoint.path),
        });
        this.ctx.log(`registered ${visibility} endpoint ${computedPath}`);
    }

    async unregisterApis(appId: string): Promise<void> {
        for (let i = this.endpoints.length - 1; i >= 0; i--) if (this.endpoints[i].appId === appId) this.endpoints.splice(i, 1);
    }
}

class HostCommandBridge {
    readonly commands = new Map<string, { command: ISlashCommand | { command: string }; appId: string; enabled: boolean }>();

    constructor(private readonly ctx: InstanceContext) {}

    async doesCommandExist(command: string): Promise<boolean> {
        return typeof command === 'string' && command.length > 0 && this.commands.has(command.toLowerCase());
    }

    async enableCommand(command: string): Promise<void> {
        const entry = this.commands.get(String(command).toLowerCase());
        if (!entry || entry.enabled) throw new Error(`The command is not currently disabled: "${command}"`);
        entry.enabled = true;
    }

    async disableCommand(command: string): Promise<void> {
        const entry = this.commands.get(String(command).toLowerCase());
        if (!entry) throw new Error(`Command does not exist in the system currently: "${command}"`);
        entry.enabled = false;
    }

    async modifyCommand(command: ISlashCommand, appId: string): Promise<void> {
        const key = command.command.toLowerCase();
        if (!this.commands.has(key)) throw new Error(`Command does not exist in the system currently (or it is disabled): "${key}"`);
        this.commands.set(key, { command, appId, enabled: true });
    }

    async registerCommand(command: ISlashCommand, appId: string): Promise<void> {
        if (typeof command !== 'object' || typeof command.command !== 'string') {
            throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
        }
        this.commands.set(command.command.toLowerCase(), { command, appId, enabled: true });
        this.ctx.log(`registered slash command /${command.command.toLowerCase()}`);
    }

    async unregisterCommand(command: string): Promise<void> {
        this.commands.delete(String(command).toLowerCase());
    }
}

class HostListenerBridge {
    constructor(private readonly ctx: InstanceContext) {}

    private _manager(): AppManager {
        const manager = this.ctx.manager();
        if (!manager) throw new Error('The apps engine is not running');
        return manager;
    }

    async messageEvent(int: AppInterface, message: IMessage): Promise<void | boolean | IMessage> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, message as never);
    }

    async roomEvent(int: AppInterface, room: IRoom): Promise<void | boolean | IRoom> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, room as never);
    }

    async uiKitInteractionEvent(int: AppInterface, action: IUIKitIncomingInteraction): Promise<void | boolean> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, action as never);
    }

    /** User events (IPostUserCreated, ...), with the payloads Rocket.Chat's listener bridge builds. */
    async userEvent(int: AppInterface, data: unknown): Promise<unknown> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, data as never);
    }
}

class HostServerSettingBridge {
    constructor(private readonly ctx: InstanceContext) {}

    private _current(id: string): ISetting | undefined {
        const setting = this.ctx.store.serverSettings.get(id);
        if (setting && id === 'Site_Url') return { ...setting, value: this.ctx.siteUrl(), packageValue: this.ctx.siteUrl() };
        return setting;
    }

    async getAll(): Promise<Array<ISetting>> {
        return this.ctx.store.serverSettings.ids().map((id) => this._current(id) as ISetting);
    }

    async getOneById(id: string): Promise<ISetting> {
        return this._current(id) as ISetting;
    }

    async hideGroup(): Promise<void> {
        throw new NotImplementedError('ServerSettingBridge.hideGroup');
    }

    async hideSetting(): Promise<void> {
        throw new NotImplementedError('ServerSettingBridge.hideSetting');
    }

    async isReadableById(id: string): Promise<boolean> {
        return this.ctx.store.serverSettings.get(id) !== undefined;
    }

    async updateOne(setting: ISetting): Promise<void> {
        this.ctx.store.serverSettings.set(setting.id, setting.value);
    }

    async incrementValue(id: string, value: number): Promise<void> {
        const current = this.ctx.store.serverSettings.get(id);
        this.ctx.store.serverSettings.set(id, Number(current?.value || 0) + (value || 1));
    }
}

class HostEnvironmentalVariableBridge {
    private readonly allowed = ['NODE_ENV', 'ROOT_URL', 'INSTANCE_IP'];

    constructor(private readonly ctx: InstanceContext) {}

    private _values(): Record<string, string> {
        return { NODE_ENV: process.env.NODE_ENV || 'development', ROOT_URL: this.ctx.siteUrl(), INSTANCE_IP: '127.0.0.1' };
    }

    async getValueByName(envVarName: string): Promise<string | undefined> {
        return (await this.isReadable(envVarName)) ? this._values()[envVarName.toUpperCase()] : undefined;
    }

    async isReadable(envVarName: string): Promise<boolean> {
        return this.allowed.includes(String(envVarName).toUpperCase());
    }

    async isSet(envVarName: string): Promise<boolean> {
        return (await this.isReadable(envVarName)) && this._values()[envVarName.toUpperCase()] !== undefined;
    }
}

class HostUiInteractionBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async notifyUser(user: IUser, interaction: IUIKitInteraction): Promise<void> {
        const raw = interaction as unknown as Record<string, unknown>;
        const view = raw.view as Record<string, unknown> | undefined;
        const viewId = (view?.id as string | undefined) ?? (raw.viewId as string | undefined);
        if (view && typeof view.id === 'string') this.ctx.state.views.set(view.id, view);
        this.ctx.produced.record('uiInteractions', {
            ...raw,
            type: String(raw.type),
            user: user?.username,
            triggerId: raw.triggerId as string | undefined,
            appId: raw.appId as string | undefined,
            viewId,
            createdAt: new Date().toISOString(),
        });
    }
}

class HostUploadBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async getById(id: string): Promise<IUpload> {
        const entry = this.ctx.state.uploadBuffers.get(id);
        return entry?.details as unknown as IUpload;
    }

    async getBuffer(upload: IUpload): Promise<Buffer> {
        const entry = this.ctx.state.uploadBuffers.get(upload?.id);
        if (!entry) throw new Error(`Upload "${upload?.id}" not found`);
        return entry.buffer;
    }

    private _fileMessage(upload: Parameters<typeof fileMessageOf>[0], details: IUploadDetails): void {
        this.ctx.state.saveMessage(fileMessageOf(upload, details, this.ctx.state));
    }

    async createUpload(details: IUploadDetails, buffer: Buffer): Promise<IUpload> {
        const id = randomId();
        const buf = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer as unknown as Uint8Array);
        const now = new Date();
        const upload = {
            id,
            name: details.name,
            size: buf.length,
            type: details.type,
            extension: (details.name || '').includes('.') ? details.name.split('.').pop() : '',
            etag: crypto.createHash('md5').update(buf).digest('hex'),
            path: `/file-upload/${id}/${encodeURIComponent(details.name || '')}`,
            url: `${this.ctx.siteUrl()}/file-upload/${id}/${encodeURIComponent(details.name || '')}`,
            progress: 1,
            uploading: false,
            complete: true,
            updatedAt: now,
            uploadedAt: now,
            store: 'GridFS:Uploads',
            room: details.rid ? this.ctx.state.appRoom(details.rid) : undefined,
            user: details.userId ? this.ctx.state.appUser(details.userId) : undefined,
        };
        this.ctx.state.uploadBuffers.set(id, { details: upload, buffer: buf });
        if (details.rid) this._fileMessage(upload, details);
        this.ctx.produced.record('uploads', {
            id,
            name: details.name,
            room: details.rid,
            userId: details.userId,
            type: details.type,
            size: buf.length,
            content: buf.toString('utf8'),
            createdAt: now.toISOString(),
        });
        return upload as unknown as IUpload;
    }
}

/** Rocket.Chat's sendFileMessage: an upload to a room is a message from the uploader with the file as an attachment. */
function fileMessageOf(
    upload: { id: string; name: string; size: number; type: string; extension?: string; path: string; uploadedAt: Date },
    details: IUploadDetails,
    state: WorkspaceState,
): IMessage {
    const file = { _id: upload.id, name: upload.name, type: upload.type, size: upload.size, format: upload.extension ?? '' };
    const attachment = { title: upload.name, type: 'file', format: file.format, title_link: upload.path, title_link_download: true, size: upload.size };
    return {
        id: randomId(),
        room: state.appRoom(details.rid),
        sender: details.userId ? state.appUser(details.userId) : undefined,
        text: '',
        createdAt: upload.uploadedAt,
        groupable: false,
        attachments: [attachment],
        file,
        files: [file],
    } as unknown as IMessage;
}

class HostActivationBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async appAdded(app: ProxiedApp): Promise<void> {
        this.ctx.log(`app added: ${app.getName()} ${app.getVersion()}`);
    }

    async appUpdated(): Promise<void> {
        return undefined;
    }

    async appRemoved(): Promise<void> {
        return undefined;
    }

    async appStatusChanged(app: ProxiedApp, status: string): Promise<void> {
        this.ctx.log(`app status: ${status}`);
    }

    async actionsChanged(): Promise<void> {
        return undefined;
    }
}

class HostAppDetailChangesBridge {
    onAppSettingsChange(): void {
        return undefined;
    }
}

class HostHttpBridge {
    async call(info: IHttpBridgeRequestInfo): Promise<IHttpResponse> {
        const { request } = info;
        let url = info.url;
        if (request.params && Object.keys(request.params).length) {
            const qs = new URLSearchParams(request.params).toString();
            url += (url.includes('?') ? '&' : '?') + qs;
        }
        const headers: Record<string, string> = { ...(request.headers || {}) };
        let body: string | undefined = request.content;
        if (request.data !== undefined) {
            body = JSON.stringify(request.data);
            if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
        }
        const res = await fetch(url, { method: String(info.method).toUpperCase(), headers, body });
        const content = await res.text();
        const responseHeaders: Record<string, string> = {};
        res.headers.forEach((value, key) => {
            responseHeaders[key] = value;
        });
        const out: IHttpResponse = { url, method: info.method, statusCode: res.status, headers: responseHeaders, content };
        try {
            out.data = JSON.parse(content);
        } catch {
            /* not JSON */
        }
        return out;
    }
}

class HostInternalBridge {
    constructor(
        private readonly ctx: InstanceContext,
        private readonly publicKey: string,
    ) {}

    doGetUsernamesOfRoomByIdSync(roomId: string): Array<string> {
        const room = this.ctx.state.rooms.get(roomId);
        if (!room) return [];
        return room.members.map((m) => this.ctx.state.getUser(m)?.username).filter((x): x is string => !!x);
    }

    async doGetUsernamesOfRoomById(roomId: string): Promise<Array<string>> {
        return this.doGetUsernamesOfRoomByIdSync(roomId);
    }

    async doGetWorkspacePublicKey(): Promise<ISetting> {
        return {
            id: 'Cloud_Workspace_PublicKey',
            type: 'string',
            packageValue: this.publicKey,
            value: this.publicKey,
            required: false,
            public: false,
            i18nLabel: 'Cloud_Workspace_PublicKey',
        } as unknown as ISetting;
    }
}

class HostFederationBridge {
    constructor(private readonly keys: { privateKey: string; publicKey: string }) {}

    async getPrivateKey(): Promise<string | null> {
        return this.keys.privateKey;
    }

    async getPublicKey(): Promise<string | null> {
        return this.keys.publicKey;
    }
}

/** A bridge whose every method throws "not implemented" (for capabilities the host does not offer). */
function notImplementedBridge<T>(name: string, ctx: InstanceContext): T {
    return new Proxy(
        {},
        {
            get(_target, prop) {
                if (prop === 'then' || typeof prop === 'symbol') return undefined;
                return () => {
                    ctx.countCall(`${name}.${String(prop)}`);
                    throw new NotImplementedError(`${name}.${String(prop)}`);
                };
            },
        },
    ) as T;
}

let keyPairCache: { privateKey: string; publicKey: string } | undefined;
function keyPair(): { privateKey: string; publicKey: string } {
    if (!keyPairCache) {
        const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
            modulusLength: 2048,
            publicKeyEncoding: { type: 'spki', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        });
        keyPairCache = { privateKey, publicKey };
    }
    return keyPairCache;
}

type BridgeClass<T> = abstract new () => T;

/**
 * An object of the engine's bridge class `Base` (or a plain object for the
 * bridges the engine only knows as interfaces) whose methods are the
 * implementation's public methods, each call counted as `<label>.<method>`.
 * The engine's `do*` wrappers call these.
 */
function adapt<T extends object>(Base: BridgeClass<T> | undefined, impl: object, label: string, ctx: InstanceContext): T {
    const bridge = (Base ? new (class extends (Base as unknown as new () => object) {})() : {}) as Record<string, unknown>;
    const methods = impl as Record<string, (...args: unknown[]) => unknown>;
    for (let proto = Object.getPrototypeOf(impl); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const name of Object.getOwnPropertyNames(proto)) {
            if (name === 'constructor' || name.startsWith('_') || typeof methods[name] !== 'function' || Object.prototype.hasOwnProperty.call(bridge, name))
                continue;
            const key = `${label}.${name}`;
            Object.defineProperty(bridge, name, {
                configurable: true,
                writable: true,
                value: (...args: unknown[]) => {
                    ctx.countCall(key);
                    return methods[name].apply(impl, args);
                },
            });
        }
    }
    return bridge as T;
}

/** The bridges of one instance: what the engine gets, and the parts the host reads. */
export interface InstanceBridges {
    appBridges: AppBridges;
    /** The app's endpoints registered on this instance. */
    api: HostApiBridge;
    /** The slash commands registered on this instance. */
    command: HostCommandBridge;
}

export function createBridges(engine: Engine, ctx: InstanceContext): InstanceBridges {
    const B = engine.bridges;
    const keys = keyPair();
    const api = new HostApiBridge(ctx);
    const command = new HostCommandBridge(ctx);
    const parts = {
        user: adapt(B.UserBridge, new HostUserBridge(ctx), 'UserBridge', ctx),
        room: adapt(B.RoomBridge, new HostRoomBridge(ctx), 'RoomBridge', ctx),
        message: adapt(B.MessageBridge, new HostMessageBridge(ctx), 'MessageBridge', ctx),
        persistence: adapt(B.PersistenceBridge, new HostPersistenceBridge(ctx), 'PersistenceBridge', ctx),
        scheduler: adapt(B.SchedulerBridge, new HostSchedulerBridge(ctx), 'SchedulerBridge', ctx),
        api: adapt(B.ApiBridge, api, 'ApiBridge', ctx),
        command: adapt(B.CommandBridge, command, 'CommandBridge', ctx),
        listener: adapt<IListenerBridge>(undefined, new HostListenerBridge(ctx), 'ListenerBridge', ctx),
        serverSetting: adapt(B.ServerSettingBridge, new HostServerSettingBridge(ctx), 'ServerSettingBridge', ctx),
        environmental: adapt(B.EnvironmentalVariableBridge, new HostEnvironmentalVariableBridge(ctx), 'EnvironmentalVariableBridge', ctx),
        uiInteraction: adapt(B.UiInteractionBridge, new HostUiInteractionBridge(ctx), 'UiInteractionBridge', ctx),
        upload: adapt(B.UploadBridge, new HostUploadBridge(ctx), 'UploadBridge', ctx),
        activation: adapt(B.AppActivationBridge, new HostActivationBridge(ctx), 'AppActivationBridge', ctx),
        detailChanges: adapt(B.AppDetailChangesBridge, new HostAppDetailChangesBridge(), 'AppDetailChangesBridge', ctx),
        http: adapt(B.HttpBridge, new HostHttpBridge(), 'HttpBridge', ctx),
        internal: adapt<IInternalBridge>(undefined, new HostInternalBridge(ctx, keys.publicKey), 'InternalBridge', ctx),
        federation: adapt<IInternalFederationBridge>(undefined, new HostFederationBridge(keys), 'InternalFederationBridge', ctx),
    };
    const unavailable = new Map<string, unknown>();
    const none = <T>(name: string): T => {
        if (!unavailable.has(name)) unavailable.set(name, notImplementedBridge<T>(name, ctx));
        return unavailable.get(name) as T;
    };

    class Bridges extends B.AppBridges {
        getCommandBridge() {
            return parts.command;
        }

        getContactBridge() {
            return none<ContactBridge>('ContactBridge');
        }

        getApiBridge() {
            return parts.api;
        }

        getAppDetailChangesBridge() {
            return parts.detailChanges;
        }

        getEnvironmentalVariableBridge() {
            return parts.environmental;
        }

        getHttpBridge() {
            return parts.http;
        }

        getListenerBridge() {
            return parts.listener;
        }

        getLivechatBridge() {
            return none<LivechatBridge>('LivechatBridge');
        }

        getMessageBridge() {
            return parts.message;
        }

        getPersistenceBridge() {
            return parts.persistence;
        }

        getAppActivationBridge() {
            return parts.activation;
        }

        getRoomBridge() {
            return parts.room;
        }

        getInternalBridge() {
            return parts.internal;
        }

        getInternalFederationBridge() {
            return parts.federation;
        }

        getServerSettingBridge() {
            return parts.serverSetting;
        }

        getUploadBridge() {
            return parts.upload;
        }

        getEmailBridge() {
            return none<EmailBridge>('EmailBridge');
        }

        getUserBridge() {
            return parts.user;
        }

        getUiInteractionBridge() {
            return parts.uiInteraction;
        }

        getSchedulerBridge() {
            return parts.scheduler;
        }

        getCloudWorkspaceBridge() {
            return none<CloudWorkspaceBridge>('CloudWorkspaceBridge');
        }

        getVideoConferenceBridge() {
            return none<VideoConferenceBridge>('VideoConferenceBridge');
        }

        getOAuthAppsBridge() {
            return none<OAuthAppsBridge>('OAuthAppsBridge');
        }

        getModerationBridge() {
            return none<ModerationBridge>('ModerationBridge');
        }

        getThreadBridge() {
            return none<ThreadBridge>('ThreadBridge');
        }

        getRoleBridge() {
            return none<RoleBridge>('RoleBridge');
        }

        getOutboundMessageBridge() {
            return none<OutboundMessageBridge>('OutboundMessageBridge');
        }

        getExperimentalBridge() {
            return none<ExperimentalBridge>('ExperimentalBridge');
        }
    }

    return { appBridges: new Bridges(), api, command };
}

export { AppInterface };
