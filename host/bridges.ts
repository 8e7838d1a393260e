/**
 * In-memory Apps-Engine bridges over a WorkspaceState, behaving like
 * Rocket.Chat's own bridges (apps/meteor/app/apps/server/bridges/*) where the
 * app can observe the difference. Every implementation method is counted per
 * call (see HostBridges.callCounts).
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
import {
    ApiBridge,
    AppActivationBridge,
    AppBridges,
    AppDetailChangesBridge,
    CloudWorkspaceBridge,
    CommandBridge,
    ContactBridge,
    EmailBridge,
    EnvironmentalVariableBridge,
    ExperimentalBridge,
    HttpBridge,
    IHttpBridgeRequestInfo,
    IInternalBridge,
    IInternalFederationBridge,
    IListenerBridge,
    LivechatBridge,
    MessageBridge,
    ModerationBridge,
    OutboundMessageBridge,
    PersistenceBridge,
    RoleBridge,
    RoomBridge,
    SchedulerBridge,
    ServerSettingBridge,
    UiInteractionBridge,
    UploadBridge,
    UserBridge,
    VideoConferenceBridge,
} from '@rocket.chat/apps-engine/server/bridges';
import type { OAuthAppsBridge } from '@rocket.chat/apps-engine/server/bridges/OAuthAppsBridge';
import type { ThreadBridge } from '@rocket.chat/apps-engine/server/bridges/ThreadBridge';
import type { GetRoomsFilters, GetRoomsOptions, GetMessagesOptions } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';
import type { ITypingDescriptor } from '@rocket.chat/apps-engine/server/bridges/MessageBridge';
import type { AppApi } from '@rocket.chat/apps-engine/server/managers/AppApi';

import { fromAppUser, StoredUser, toAppRoomRaw } from './convert';
import { nextRun, parseInterval, parseWhen } from './schedule';
import { randomId, WorkspaceState } from './state';

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

export interface HostContext {
    state: WorkspaceState;
    getManager(): AppManager | undefined;
    siteUrl(): string;
    log(line: string): void;
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

class HostUserBridge extends UserBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async getById(id: string): Promise<IUser> {
        return this.ctx.state.appUser(id) as IUser;
    }

    protected async getByUsername(username: string): Promise<IUser> {
        const user = this.ctx.state.getUserByUsername(username);
        return (user && this.ctx.state.appUser(user._id)) as IUser;
    }

    protected async getAppUser(appId?: string): Promise<IUser | undefined> {
        if (!appId) return undefined;
        for (const user of this.ctx.state.users.values()) {
            if (user.appId === appId) return this.ctx.state.appUser(user._id);
        }
        return undefined;
    }

    protected async getActiveUserCount(): Promise<number> {
        let n = 0;
        for (const user of this.ctx.state.users.values()) {
            if (user.active !== false && user.type !== 'bot' && user.type !== 'app') n++;
        }
        return n;
    }

    protected async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }

    protected async getUserRoomIds(userId: string): Promise<string[]> {
        return this.ctx.state.roomIdsOf(userId);
    }

    protected async create(data: Partial<IUser>, appId: string, options?: IUserCreationOptions): Promise<string> {
        void options;
        const user = fromAppUser(data as Partial<IUser> & Record<string, unknown>) as StoredUser;
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

    protected async remove(user: IUser): Promise<boolean> {
        if (!user) return true;
        this.ctx.state.deleteUser(user.id);
        return true;
    }

    protected async update(user: IUser, updates: Partial<IUser>): Promise<boolean> {
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

    protected async deleteUsersCreatedByApp(appId: string, type: UserType.APP | UserType.BOT): Promise<boolean> {
        let deleted = false;
        for (const user of [...this.ctx.state.users.values()]) {
            if (user.appId === appId && user.type === type) {
                this.ctx.state.deleteUser(user._id);
                deleted = true;
            }
        }
        return deleted;
    }

    protected async deactivate(userId: string): Promise<boolean> {
        const stored = this.ctx.state.getUser(userId);
        if (!stored) throw new Error('Invalid user id');
        this.ctx.state.replaceUser({ ...stored, active: false, _updatedAt: new Date().toISOString() });
        return true;
    }
}

class HostRoomBridge extends RoomBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async create(room: IRoom, members: Array<string>): Promise<string> {
        const id = randomId();
        const userIds = members
            .map((username) => this.ctx.state.getUserByUsername(username)?._id)
            .filter((x): x is string => typeof x === 'string');
        const creator = room.creator?.id;
        if (creator && !userIds.includes(creator)) userIds.unshift(creator);
        this.ctx.state.rooms.set(id, { _id: id, name: room.type === 'd' ? undefined : room.slugifiedName, t: room.type as 'c' | 'p' | 'd', members: [] });
        for (const uid of userIds) this.ctx.state.addMember(id, uid);
        return id;
    }

    protected async getById(roomId: string): Promise<IRoom> {
        return this.ctx.state.appRoom(roomId) as IRoom;
    }

    protected async getByName(roomName: string): Promise<IRoom> {
        for (const room of this.ctx.state.rooms.values()) {
            if (room.name === roomName) return this.ctx.state.appRoom(room._id) as IRoom;
        }
        return undefined as unknown as IRoom;
    }

    protected async getCreatorById(roomId: string): Promise<IUser | undefined> {
        const room = this.ctx.state.rooms.get(roomId);
        const creator = room && this.ctx.state.roomCreatorId(room);
        return creator ? this.ctx.state.appUser(creator) : undefined;
    }

    protected async getCreatorByName(roomName: string): Promise<IUser | undefined> {
        for (const room of this.ctx.state.rooms.values()) {
            if (room.name === roomName) {
                const creator = this.ctx.state.roomCreatorId(room);
                return creator ? this.ctx.state.appUser(creator) : undefined;
            }
        }
        return undefined;
    }

    protected async getDirectByUsernames(usernames: Array<string>): Promise<IRoom | undefined> {
        const ids = usernames.map((u) => this.ctx.state.getUserByUsername(u)?._id);
        if (ids.some((id) => !id)) return undefined;
        for (const room of this.ctx.state.rooms.values()) {
            if (room.t === 'd' && ids.every((id) => room.members.includes(id as string))) return this.ctx.state.appRoom(room._id);
        }
        return undefined;
    }

    protected async getMembers(roomId: string): Promise<Array<IUser>> {
        const room = this.ctx.state.rooms.get(roomId);
        if (!room) return [];
        const out: IUser[] = [];
        for (const id of room.members) {
            const user = this.ctx.state.appUser(id);
            if (user) out.push(user);
        }
        return out;
    }

    protected async getAllRooms(filters: GetRoomsFilters = {}, options: GetRoomsOptions = {}): Promise<Array<IRoomRaw>> {
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

    protected async update(room: IRoom, members: Array<string> = []): Promise<void> {
        const stored = room.id && this.ctx.state.rooms.get(room.id);
        if (!stored) throw new Error('A room must exist to update.');
        if (room.slugifiedName && stored.t !== 'd') stored.name = room.slugifiedName;
        for (const username of members) {
            const user = this.ctx.state.getUserByUsername(username);
            if (user) this.ctx.state.addMember(stored._id, user._id);
        }
    }

    protected async createDiscussion(): Promise<string> {
        throw new NotImplementedError('RoomBridge.createDiscussion');
    }

    protected async delete(roomId: string): Promise<void> {
        const room = this.ctx.state.rooms.get(roomId);
        if (!room) return;
        for (const m of [...room.members]) this.ctx.state.removeMember(roomId, m);
        this.ctx.state.rooms.delete(roomId);
    }

    protected async getModerators(): Promise<Array<IUser>> {
        return [];
    }

    protected async getOwners(roomId: string): Promise<Array<IUser>> {
        const room = this.ctx.state.rooms.get(roomId);
        const creator = room && this.ctx.state.roomCreatorId(room);
        const user = creator ? this.ctx.state.appUser(creator) : undefined;
        return user ? [user] : [];
    }

    protected async getLeaders(): Promise<Array<IUser>> {
        return [];
    }

    protected async getMessages(roomId: string, options: GetMessagesOptions): Promise<never[]> {
        void roomId;
        void options;
        throw new NotImplementedError('RoomBridge.getMessages');
    }

    protected async removeUsers(roomId: string, usernames: Array<string>): Promise<void> {
        for (const username of usernames) {
            const user = this.ctx.state.getUserByUsername(username);
            if (user) this.ctx.state.removeMember(roomId, user._id);
        }
    }

    protected async getUnreadByUser(): Promise<never[]> {
        throw new NotImplementedError('RoomBridge.getUnreadByUser');
    }

    protected async getUserUnreadMessageCount(): Promise<number> {
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

class HostMessageBridge extends MessageBridge {
    private readonly messages = new Map<string, IMessage>();

    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async create(message: IMessage): Promise<string> {
        const id = randomId();
        this.messages.set(id, { ...message, id, createdAt: new Date() });
        if (this.messages.size > 10000) this.messages.delete(this.messages.keys().next().value as string);
        this.ctx.state.record('messages', messageRecord(message, id));
        return id;
    }

    protected async update(message: IMessage): Promise<void> {
        if (!message.id || !this.messages.has(message.id)) throw new Error('A message must exist to update.');
        this.messages.set(message.id, { ...message, updatedAt: new Date() });
        this.ctx.state.record('messages', { ...messageRecord(message, message.id), updated: true } as ReturnType<typeof messageRecord>);
    }

    protected async notifyUser(user: IUser, message: IMessage): Promise<void> {
        this.ctx.state.record('notifications', {
            kind: 'user',
            to: user?.username,
            room: message.room?.id,
            text: message.text,
            blocks: message.blocks as unknown[] | undefined,
            sender: message.sender?.username,
            createdAt: new Date().toISOString(),
        });
    }

    protected async notifyRoom(room: IRoom, message: IMessage): Promise<void> {
        this.ctx.state.record('notifications', {
            kind: 'room',
            to: room?.id,
            room: room?.id,
            text: message.text,
            blocks: message.blocks as unknown[] | undefined,
            sender: message.sender?.username,
            createdAt: new Date().toISOString(),
        });
    }

    protected async typing(options: ITypingDescriptor): Promise<void> {
        void options;
    }

    protected async getById(messageId: string): Promise<IMessage> {
        return this.messages.get(messageId) as IMessage;
    }

    protected async delete(message: IMessage): Promise<void> {
        if (message.id) this.messages.delete(message.id);
    }

    protected async addReaction(): Promise<void> {
        throw new NotImplementedError('MessageBridge.addReaction');
    }

    protected async removeReaction(): Promise<void> {
        throw new NotImplementedError('MessageBridge.removeReaction');
    }
}

interface PersistenceRecord {
    id: string;
    appId: string;
    associations?: Array<{ model: string; id: string }>;
    data: object;
}

const sameAssociation = (a: { model: string; id: string }, b: { model: string; id: string }) => a.model === b.model && a.id === b.id;
const plainAssociations = (list: RocketChatAssociationRecord[]) =>
    (list || []).map((a) => {
        const r = a as unknown as { model?: string; id?: string; getModel?: () => string; getID?: () => string };
        return { model: String(r.model ?? r.getModel?.()), id: String(r.id ?? r.getID?.()) };
    });

class HostPersistenceBridge extends PersistenceBridge {
    readonly records = new Map<string, PersistenceRecord>();

    constructor(private readonly ctx: HostContext) {
        super();
    }

    private _matchingAll(associations: RocketChatAssociationRecord[], appId: string): PersistenceRecord[] {
        const wanted = plainAssociations(associations);
        const out: PersistenceRecord[] = [];
        for (const record of this.records.values()) {
            if (record.appId !== appId) continue;
            const have = record.associations || [];
            if (wanted.every((w) => have.some((h) => sameAssociation(h, w)))) out.push(record);
        }
        return out;
    }

    protected async purge(appId: string): Promise<void> {
        for (const [id, record] of this.records) if (record.appId === appId) this.records.delete(id);
    }

    protected async create(data: object, appId: string): Promise<string> {
        if (typeof data !== 'object') throw new Error('Attempted to store an invalid data type, it must be an object.');
        const id = crypto.randomBytes(12).toString('hex');
        this.records.set(id, { id, appId, data });
        return id;
    }

    protected async createWithAssociations(data: object, associations: Array<RocketChatAssociationRecord>, appId: string): Promise<string> {
        if (typeof data !== 'object') throw new Error('Attempted to store an invalid data type, it must be an object.');
        const id = crypto.randomBytes(12).toString('hex');
        this.records.set(id, { id, appId, associations: plainAssociations(associations), data });
        return id;
    }

    protected async readById(id: string, appId: string): Promise<object> {
        const record = this.records.get(id);
        return record && record.appId === appId ? record.data : {};
    }

    protected async readByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object>> {
        return this._matchingAll(associations, appId).map((r) => r.data);
    }

    protected async remove(id: string, appId: string): Promise<object | undefined> {
        const record = this.records.get(id);
        if (!record || record.appId !== appId) return undefined;
        this.records.delete(id);
        return record.data;
    }

    protected async removeByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object> | undefined> {
        const records = this._matchingAll(associations, appId);
        if (!records.length) return undefined;
        for (const r of records) this.records.delete(r.id);
        return records.map((r) => r.data);
    }

    protected async update(id: string, data: object): Promise<string> {
        void id;
        if (typeof data !== 'object') throw new Error('Attempted to store an invalid data type, it must be an object.');
        // As in Rocket.Chat: updating a record by id is not implemented there either.
        throw new Error('Not implemented.');
    }

    protected async updateByAssociations(associations: Array<RocketChatAssociationRecord>, data: object, upsert: boolean, appId: string): Promise<string> {
        if (typeof data !== 'object') throw new Error('Attempted to store an invalid data type, it must be an object.');
        // Rocket.Chat matches `{appId, associations}`: the association list must be equal, in order.
        const wanted = plainAssociations(associations);
        for (const record of this.records.values()) {
            const have = record.associations || [];
            if (record.appId === appId && have.length === wanted.length && have.every((h, i) => sameAssociation(h, wanted[i]))) {
                record.data = data;
                return record.id;
            }
        }
        if (!upsert) return '';
        const id = crypto.randomBytes(12).toString('hex');
        this.records.set(id, { id, appId, associations: wanted, data });
        return id;
    }
}

interface ScheduledJob {
    id: string;
    name: string;
    appId: string;
    timer?: NodeJS.Timeout;
    cancelled: boolean;
}

class HostSchedulerBridge extends SchedulerBridge {
    private readonly processors = new Map<string, IProcessor>();

    private readonly jobs = new Map<string, ScheduledJob>();

    private readonly running = new Map<string, Promise<void>>();

    constructor(private readonly ctx: HostContext) {
        super();
    }

    private _run(job: ScheduledJob, data: object | undefined): void {
        const processor = this.processors.get(job.name);
        if (!processor || job.cancelled) return;
        const context = { ...(data || {}), appId: job.appId, jobId: job.id };
        // One run at a time per processor (Agenda's concurrency: 1 in Rocket.Chat).
        const previous = this.running.get(job.name) ?? Promise.resolve();
        const next = previous
            .then(() => (job.cancelled ? undefined : (processor.processor as unknown as (ctx: object) => Promise<void>)(context)))
            .catch((e: Error) => this.ctx.log(`job ${job.name} failed: ${e?.message ?? e}`));
        this.running.set(job.name, next);
    }

    protected async registerProcessors(processors: Array<IProcessor>, appId: string): Promise<void | Array<string>> {
        const started: string[] = [];
        for (const p of processors) {
            this.processors.set(p.id, p);
            const startup = p.startupSetting as undefined | { type: string; when?: string | Date; interval?: string | number; skipImmediate?: boolean; data?: object };
            if (!startup) continue;
            if (startup.type === 'onetime') {
                this._cancelByName(p.id);
                const id = await this.scheduleOnce({ id: p.id, when: startup.when as string | Date, data: startup.data }, appId);
                if (id) started.push(id);
            } else if (startup.type === 'recurring') {
                const id = await this.scheduleRecurring(
                    { id: p.id, interval: startup.interval as string | number, skipImmediate: startup.skipImmediate, data: startup.data },
                    appId,
                );
                if (id) started.push(id);
            }
        }
        return started;
    }

    protected async scheduleOnce(job: IOnetimeSchedule, appId: string): Promise<void | string> {
        const at = parseWhen(job.when);
        const scheduled: ScheduledJob = { id: crypto.randomBytes(12).toString('hex'), name: job.id, appId, cancelled: false };
        scheduled.timer = setTimeout(() => {
            this.jobs.delete(scheduled.id);
            this._run(scheduled, job.data);
        }, Math.max(0, at - Date.now()));
        scheduled.timer.unref();
        this.jobs.set(scheduled.id, scheduled);
        return scheduled.id;
    }

    protected async scheduleRecurring(job: IRecurringSchedule, appId: string): Promise<void | string> {
        // Agenda's `every` keeps one job per name.
        this._cancelByName(job.id);
        const interval = parseInterval(job.interval);
        const scheduled: ScheduledJob = { id: crypto.randomBytes(12).toString('hex'), name: job.id, appId, cancelled: false };
        const arm = () => {
            if (scheduled.cancelled) return;
            const delay = Math.max(0, nextRun(interval, Date.now()) - Date.now());
            scheduled.timer = setTimeout(() => {
                this._run(scheduled, job.data);
                arm();
            }, delay);
            scheduled.timer.unref();
        };
        if (!job.skipImmediate) this._run(scheduled, job.data);
        arm();
        this.jobs.set(scheduled.id, scheduled);
        return scheduled.id;
    }

    private _cancelByName(name: string): void {
        for (const [id, job] of this.jobs) {
            if (job.name === name) {
                job.cancelled = true;
                if (job.timer) clearTimeout(job.timer);
                this.jobs.delete(id);
            }
        }
    }

    protected async cancelJob(jobId: string): Promise<void> {
        // Rocket.Chat cancels by job name (the processor id).
        this._cancelByName(jobId);
    }

    protected async cancelAllJobs(appId: string): Promise<void> {
        for (const [id, job] of this.jobs) {
            if (job.appId === appId || job.name.endsWith(`_${appId}`)) {
                job.cancelled = true;
                if (job.timer) clearTimeout(job.timer);
                this.jobs.delete(id);
            }
        }
    }

    /** Stops every timer (host shutdown). */
    _stopAll(): void {
        for (const job of this.jobs.values()) {
            job.cancelled = true;
            if (job.timer) clearTimeout(job.timer);
        }
        this.jobs.clear();
    }
}

class HostApiBridge extends ApiBridge {
    readonly endpoints: RegisteredEndpoint[] = [];

    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async registerApi(api: AppApi, appId: string): Promise<void> {
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

    protected async unregisterApis(appId: string): Promise<void> {
        for (let i = this.endpoints.length - 1; i >= 0; i--) if (this.endpoints[i].appId === appId) this.endpoints.splice(i, 1);
    }
}

class HostCommandBridge extends CommandBridge {
    readonly commands = new Map<string, { command: ISlashCommand | { command: string }; appId: string; enabled: boolean }>();

    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async doesCommandExist(command: string): Promise<boolean> {
        return typeof command === 'string' && command.length > 0 && this.commands.has(command.toLowerCase());
    }

    protected async enableCommand(command: string): Promise<void> {
        const entry = this.commands.get(String(command).toLowerCase());
        if (!entry || entry.enabled) throw new Error(`The command is not currently disabled: "${command}"`);
        entry.enabled = true;
    }

    protected async disableCommand(command: string): Promise<void> {
        const entry = this.commands.get(String(command).toLowerCase());
        if (!entry) throw new Error(`Command does not exist in the system currently: "${command}"`);
        entry.enabled = false;
    }

    protected async modifyCommand(command: ISlashCommand, appId: string): Promise<void> {
        const key = command.command.toLowerCase();
        if (!this.commands.has(key)) throw new Error(`Command does not exist in the system currently (or it is disabled): "${key}"`);
        this.commands.set(key, { command, appId, enabled: true });
    }

    protected async registerCommand(command: ISlashCommand, appId: string): Promise<void> {
        if (typeof command !== 'object' || typeof command.command !== 'string') {
            throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
        }
        this.commands.set(command.command.toLowerCase(), { command, appId, enabled: true });
        this.ctx.log(`registered slash command /${command.command.toLowerCase()}`);
    }

    protected async unregisterCommand(command: string): Promise<void> {
        this.commands.delete(String(command).toLowerCase());
    }
}

class HostListenerBridge implements IListenerBridge {
    constructor(private readonly ctx: HostContext) {}

    private _manager(): AppManager {
        const manager = this.ctx.getManager();
        if (!manager) throw new Error('The apps engine is not running');
        return manager;
    }

    async messageEvent(int: AppInterface, message: IMessage): Promise<void | boolean | IMessage> {
        return this._manager().getListenerManager().executeListener(int as never, message as never) as Promise<void | boolean | IMessage>;
    }

    async roomEvent(int: AppInterface, room: IRoom): Promise<void | boolean | IRoom> {
        return this._manager().getListenerManager().executeListener(int as never, room as never) as Promise<void | boolean | IRoom>;
    }

    async uiKitInteractionEvent(int: AppInterface, action: IUIKitIncomingInteraction): Promise<void | boolean> {
        return this._manager().getListenerManager().executeListener(int as never, action as never) as Promise<void | boolean>;
    }

    /** User events (IPostUserCreated, ...), with the payloads Rocket.Chat's listener bridge builds. */
    async userEvent(int: AppInterface, data: unknown): Promise<unknown> {
        return this._manager().getListenerManager().executeListener(int as never, data as never);
    }
}

class HostServerSettingBridge extends ServerSettingBridge {
    private readonly settings = new Map<string, ISetting>();

    constructor(private readonly ctx: HostContext) {
        super();
        const add = (id: string, type: string, value: unknown) =>
            this.settings.set(id, { id, type, packageValue: value, value, required: false, public: true, i18nLabel: id } as unknown as ISetting);
        add('Site_Url', 'string', '');
        add('Site_Name', 'string', 'Local workspace');
        add('Language', 'string', 'en');
        add('API_Default_Count', 'int', 50);
        add('API_Upper_Count_Limit', 'int', 100);
        add('API_Allow_Infinite_Count', 'boolean', true);
        add('API_Apply_permission_view-outside-room_on_users-list', 'boolean', false);
        add('Accounts_AllowAnonymousRead', 'boolean', false);
        add('UTF8_User_Names_Validation', 'string', '[0-9a-zA-Z-_.]+');
        add('Livechat_enabled', 'boolean', true);
    }

    private _current(id: string): ISetting | undefined {
        const setting = this.settings.get(id);
        if (setting && id === 'Site_Url') return { ...setting, value: this.ctx.siteUrl(), packageValue: this.ctx.siteUrl() };
        return setting;
    }

    protected async getAll(): Promise<Array<ISetting>> {
        return [...this.settings.keys()].map((id) => this._current(id) as ISetting);
    }

    protected async getOneById(id: string): Promise<ISetting> {
        return this._current(id) as ISetting;
    }

    protected async hideGroup(): Promise<void> {
        throw new NotImplementedError('ServerSettingBridge.hideGroup');
    }

    protected async hideSetting(): Promise<void> {
        throw new NotImplementedError('ServerSettingBridge.hideSetting');
    }

    protected async isReadableById(id: string): Promise<boolean> {
        return this.settings.has(id);
    }

    protected async updateOne(setting: ISetting): Promise<void> {
        const current = this.settings.get(setting.id);
        if (!current) throw new Error(`Setting "${setting.id}" does not exist`);
        this.settings.set(setting.id, { ...current, value: setting.value });
    }

    protected async incrementValue(id: string, value: number): Promise<void> {
        const current = this.settings.get(id);
        if (!current) throw new Error(`Setting "${id}" does not exist`);
        this.settings.set(id, { ...current, value: Number(current.value || 0) + (value || 1) });
    }
}

class HostEnvironmentalVariableBridge extends EnvironmentalVariableBridge {
    private readonly allowed = ['NODE_ENV', 'ROOT_URL', 'INSTANCE_IP'];

    constructor(private readonly ctx: HostContext) {
        super();
    }

    private _values(): Record<string, string> {
        return { NODE_ENV: process.env.NODE_ENV || 'development', ROOT_URL: this.ctx.siteUrl(), INSTANCE_IP: '127.0.0.1' };
    }

    protected async getValueByName(envVarName: string): Promise<string | undefined> {
        return (await this.isReadable(envVarName)) ? this._values()[envVarName.toUpperCase()] : undefined;
    }

    protected async isReadable(envVarName: string): Promise<boolean> {
        return this.allowed.includes(String(envVarName).toUpperCase());
    }

    protected async isSet(envVarName: string): Promise<boolean> {
        return (await this.isReadable(envVarName)) && this._values()[envVarName.toUpperCase()] !== undefined;
    }
}

class HostUiInteractionBridge extends UiInteractionBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async notifyUser(user: IUser, interaction: IUIKitInteraction): Promise<void> {
        const raw = interaction as unknown as Record<string, unknown>;
        const view = raw.view as Record<string, unknown> | undefined;
        const viewId = (view?.id as string | undefined) ?? (raw.viewId as string | undefined);
        if (view && typeof view.id === 'string') this.ctx.state.views.set(view.id, view);
        this.ctx.state.record('uiInteractions', {
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

class HostUploadBridge extends UploadBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async getById(id: string): Promise<IUpload> {
        const entry = this.ctx.state.uploadBuffers.get(id);
        return entry?.details as unknown as IUpload;
    }

    protected async getBuffer(upload: IUpload): Promise<Buffer> {
        const entry = this.ctx.state.uploadBuffers.get(upload?.id);
        if (!entry) throw new Error(`Upload "${upload?.id}" not found`);
        return entry.buffer;
    }

    protected async createUpload(details: IUploadDetails, buffer: Buffer): Promise<IUpload> {
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
        this.ctx.state.record('uploads', {
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

class HostActivationBridge extends AppActivationBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async appAdded(app: ProxiedApp): Promise<void> {
        this.ctx.log(`app added: ${app.getName()} ${app.getVersion()}`);
    }

    protected async appUpdated(): Promise<void> {
        return undefined;
    }

    protected async appRemoved(): Promise<void> {
        return undefined;
    }

    protected async appStatusChanged(app: ProxiedApp, status: string): Promise<void> {
        this.ctx.log(`app status: ${status}`);
    }

    protected async actionsChanged(): Promise<void> {
        return undefined;
    }
}

class HostAppDetailChangesBridge extends AppDetailChangesBridge {
    protected onAppSettingsChange(): void {
        return undefined;
    }
}

class HostHttpBridge extends HttpBridge {
    protected async call(info: IHttpBridgeRequestInfo): Promise<IHttpResponse> {
        const { request } = info;
        let url = info.url;
        if (request.params && Object.keys(request.params).length) {
            const qs = new URLSearchParams(request.params as Record<string, string>).toString();
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

class HostInternalBridge implements IInternalBridge {
    constructor(
        private readonly ctx: HostContext,
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

class HostFederationBridge implements IInternalFederationBridge {
    constructor(private readonly keys: { privateKey: string; publicKey: string }) {}

    async getPrivateKey(): Promise<string | null> {
        return this.keys.privateKey;
    }

    async getPublicKey(): Promise<string | null> {
        return this.keys.publicKey;
    }
}

/** A bridge whose every method throws "not implemented" (for capabilities the host does not offer). */
function notImplementedBridge<T>(name: string, counts: Map<string, number>): T {
    return new Proxy(
        {},
        {
            get(_target, prop) {
                if (prop === 'then' || typeof prop === 'symbol') return undefined;
                return () => {
                    const key = `${name}.${String(prop)}`;
                    counts.set(key, (counts.get(key) ?? 0) + 1);
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

/** Replaces each implementation method of a bridge instance by a wrapper that counts calls. */
function countCalls<T extends object>(bridge: T, label: string, counts: Map<string, number>): T {
    const seen = new Set<string>();
    let proto = Object.getPrototypeOf(bridge);
    // Only the host's own class (and its host-defined parents): the engine's `do*` wrappers delegate to these.
    while (proto && proto !== Object.prototype && proto.constructor.name.startsWith('Host')) {
        for (const name of Object.getOwnPropertyNames(proto)) {
            if (name === 'constructor' || seen.has(name) || name.startsWith('_')) continue;
            const descriptor = Object.getOwnPropertyDescriptor(proto, name);
            if (!descriptor || typeof descriptor.value !== 'function') continue;
            seen.add(name);
            const original = descriptor.value as (...args: unknown[]) => unknown;
            const key = `${label}.${name}`;
            Object.defineProperty(bridge, name, {
                configurable: true,
                writable: true,
                value: function counted(this: unknown, ...args: unknown[]) {
                    counts.set(key, (counts.get(key) ?? 0) + 1);
                    return original.apply(this, args);
                },
            });
        }
        proto = Object.getPrototypeOf(proto);
    }
    return bridge;
}

export class HostBridges extends AppBridges {
    readonly callCounts = new Map<string, number>();

    readonly user: HostUserBridge;

    readonly room: HostRoomBridge;

    readonly message: HostMessageBridge;

    readonly persistence: HostPersistenceBridge;

    readonly scheduler: HostSchedulerBridge;

    readonly api: HostApiBridge;

    readonly command: HostCommandBridge;

    readonly listener: HostListenerBridge;

    private readonly serverSetting: HostServerSettingBridge;

    private readonly environmental: HostEnvironmentalVariableBridge;

    private readonly uiInteraction: HostUiInteractionBridge;

    private readonly upload: HostUploadBridge;

    private readonly activation: HostActivationBridge;

    private readonly detailChanges: HostAppDetailChangesBridge;

    private readonly http: HostHttpBridge;

    private readonly internal: HostInternalBridge;

    private readonly federation: HostFederationBridge;

    private readonly unavailableBridges = new Map<string, unknown>();

    private unavailable<T>(name: string): T {
        let bridge = this.unavailableBridges.get(name);
        if (!bridge) {
            bridge = notImplementedBridge<T>(name, this.callCounts);
            this.unavailableBridges.set(name, bridge);
        }
        return bridge as T;
    }

    constructor(ctx: HostContext) {
        super();
        const keys = keyPair();
        const c = <T extends object>(bridge: T, label: string) => countCalls(bridge, label, this.callCounts);
        this.user = c(new HostUserBridge(ctx), 'UserBridge');
        this.room = c(new HostRoomBridge(ctx), 'RoomBridge');
        this.message = c(new HostMessageBridge(ctx), 'MessageBridge');
        this.persistence = c(new HostPersistenceBridge(ctx), 'PersistenceBridge');
        this.scheduler = c(new HostSchedulerBridge(ctx), 'SchedulerBridge');
        this.api = c(new HostApiBridge(ctx), 'ApiBridge');
        this.command = c(new HostCommandBridge(ctx), 'CommandBridge');
        this.listener = c(new HostListenerBridge(ctx), 'ListenerBridge');
        this.serverSetting = c(new HostServerSettingBridge(ctx), 'ServerSettingBridge');
        this.environmental = c(new HostEnvironmentalVariableBridge(ctx), 'EnvironmentalVariableBridge');
        this.uiInteraction = c(new HostUiInteractionBridge(ctx), 'UiInteractionBridge');
        this.upload = c(new HostUploadBridge(ctx), 'UploadBridge');
        this.activation = c(new HostActivationBridge(ctx), 'AppActivationBridge');
        this.detailChanges = c(new HostAppDetailChangesBridge(), 'AppDetailChangesBridge');
        this.http = c(new HostHttpBridge(), 'HttpBridge');
        this.internal = c(new HostInternalBridge(ctx, keys.publicKey), 'InternalBridge');
        this.federation = c(new HostFederationBridge(keys), 'InternalFederationBridge');
    }

    getCommandBridge(): CommandBridge {
        return this.command;
    }

    getContactBridge(): ContactBridge {
        return this.unavailable('ContactBridge');
    }

    getApiBridge(): ApiBridge {
        return this.api;
    }

    getAppDetailChangesBridge(): AppDetailChangesBridge {
        return this.detailChanges;
    }

    getEnvironmentalVariableBridge(): EnvironmentalVariableBridge {
        return this.environmental;
    }

    getHttpBridge(): HttpBridge {
        return this.http;
    }

    getListenerBridge(): IListenerBridge {
        return this.listener;
    }

    getLivechatBridge(): LivechatBridge {
        return this.unavailable('LivechatBridge');
    }

    getMessageBridge(): MessageBridge {
        return this.message;
    }

    getPersistenceBridge(): PersistenceBridge {
        return this.persistence;
    }

    getAppActivationBridge(): AppActivationBridge {
        return this.activation;
    }

    getRoomBridge(): RoomBridge {
        return this.room;
    }

    getInternalBridge(): IInternalBridge {
        return this.internal;
    }

    getInternalFederationBridge(): IInternalFederationBridge {
        return this.federation;
    }

    getServerSettingBridge(): ServerSettingBridge {
        return this.serverSetting;
    }

    getUploadBridge(): UploadBridge {
        return this.upload;
    }

    getEmailBridge(): EmailBridge {
        return this.unavailable('EmailBridge');
    }

    getUserBridge(): UserBridge {
        return this.user;
    }

    getUiInteractionBridge(): UiInteractionBridge {
        return this.uiInteraction;
    }

    getSchedulerBridge(): SchedulerBridge {
        return this.scheduler;
    }

    getCloudWorkspaceBridge(): CloudWorkspaceBridge {
        return this.unavailable('CloudWorkspaceBridge');
    }

    getVideoConferenceBridge(): VideoConferenceBridge {
        return this.unavailable('VideoConferenceBridge');
    }

    getOAuthAppsBridge(): OAuthAppsBridge {
        return this.unavailable('OAuthAppsBridge');
    }

    getModerationBridge(): ModerationBridge {
        return this.unavailable('ModerationBridge');
    }

    getThreadBridge(): ThreadBridge {
        return this.unavailable('ThreadBridge');
    }

    getRoleBridge(): RoleBridge {
        return this.unavailable('RoleBridge');
    }

    getOutboundMessageBridge(): OutboundMessageBridge {
        return this.unavailable('OutboundMessageBridge');
    }

    getExperimentalBridge(): ExperimentalBridge {
        return this.unavailable('ExperimentalBridge');
    }

    /** Fires a user event through the listener bridge, as Rocket.Chat's AppListenerBridge.userEvent does. */
    fireUserEvent(int: AppInterface, data: unknown): Promise<unknown> {
        return this.listener.userEvent(int, data);
    }

    stopTimers(): void {
        this.scheduler._stopAll();
    }
}

export { AppInterface };
