/**
 * What a client reads of rooms, as Rocket.Chat's REST API answers it:
 * `channels.messages`, `groups.messages`, `im.messages` (newest first, with
 * Rocket.Chat's paging) and `rooms.info`. So a test sees what the app sent
 * in the background (a run's progress, a report, an uploaded file) and a
 * room's read-only flag, as a Rocket.Chat client would.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';

import type { StoredUser } from './convert';
import { failure, HttpError } from './http';
import type { WorkspaceState } from './state';
import type { WorkspaceRoom } from './workspace';

export type RoomRoute = 'channels.messages' | 'groups.messages' | 'im.messages' | 'rooms.info';

/** Server settings the paging reads. */
export interface PagingSettings {
    defaultCount: number;
    upperLimit: number;
    allowInfinite: boolean;
}

/** Rocket.Chat's getPaginationItems: `count` (default API_Default_Count, at most API_Upper_Count_Limit, 0 = all when allowed) and `offset`. */
export function pagination(query: Record<string, unknown>, settings: PagingSettings): { offset: number; count: number } {
    const int = (value: unknown, fallback: number): number => {
        const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? parseInt(value, 10) : NaN;
        return Number.isNaN(n) ? fallback : n;
    };
    const offset = Math.max(0, int(query.offset, 0));
    let count = int(query.count, settings.defaultCount);
    if (count < 0) count = settings.defaultCount;
    if (count > settings.upperLimit) count = settings.upperLimit;
    if (count === 0 && !settings.allowInfinite) count = settings.defaultCount;
    return { offset, count };
}

const iso = (value: unknown): string | undefined => {
    if (value === undefined || value === null) return undefined;
    const d = value instanceof Date ? value : new Date(value as string);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/** AppMessagesConverter's attachment fields, the ones apps use. */
function restAttachment(a: Record<string, unknown>): Record<string, unknown> {
    const title = a.title as { value?: string; link?: string; displayDownloadLink?: boolean } | string | undefined;
    const author = a.author as { name?: string; link?: string; icon?: string } | undefined;
    const out: Record<string, unknown> = {
        ...a,
        ...(typeof title === 'object' && { title: title.value, title_link: title.link, title_link_download: title.displayDownloadLink }),
        ...(author && { author_name: author.name, author_link: author.link, author_icon: author.icon }),
        ...(a.imageUrl !== undefined && { image_url: a.imageUrl }),
        ...(a.thumbnailUrl !== undefined && { thumb_url: a.thumbnailUrl }),
        ...(a.timestamp !== undefined && { ts: iso(a.timestamp) }),
    };
    for (const key of ['author', 'imageUrl', 'thumbnailUrl', 'timestamp']) delete out[key];
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
    return out;
}

/** A stored message as Rocket.Chat's REST API returns it. */
export function restMessage(message: IMessage & { file?: unknown; files?: unknown }, state: WorkspaceState): Record<string, unknown> {
    const senderId = message.sender?.id;
    const sender = senderId ? state.getUser(senderId) : undefined;
    const ts = iso(message.createdAt) ?? new Date(0).toISOString();
    const out: Record<string, unknown> = {
        _id: message.id,
        rid: message.room?.id,
        msg: message.text ?? '',
        ts,
        u: {
            _id: senderId,
            username: sender?.username ?? message.sender?.username,
            ...((sender?.name ?? message.sender?.name) && { name: sender?.name ?? message.sender?.name }),
        },
        _updatedAt: iso(message.updatedAt) ?? ts,
        ...(message.threadId && { tmid: message.threadId }),
        ...(message.blocks && { blocks: message.blocks }),
        ...(message.attachments && { attachments: (message.attachments as unknown as Array<Record<string, unknown>>).map(restAttachment) }),
        ...(message.file !== undefined && { file: message.file }),
        ...(message.files !== undefined && { files: message.files }),
        ...(message.groupable !== undefined && { groupable: message.groupable }),
    };
    return out;
}

/** The room body of `rooms.info` (and what `ro` says). */
export function restRoom(room: WorkspaceRoom, state: WorkspaceState): Record<string, unknown> {
    const creatorId = state.roomCreatorId(room);
    const creator = creatorId ? state.getUser(creatorId) : undefined;
    let msgs = 0;
    for (const message of state.messages.values()) if (message.room?.id === room._id) msgs++;
    return {
        _id: room._id,
        t: room.t,
        ...(room.name !== undefined && { name: room.name, fname: (room as { fname?: string }).fname ?? room.name }),
        usersCount: room.members.length,
        msgs,
        ro: room.ro === true,
        ...(room._id === 'GENERAL' && { default: true }),
        ...(room.t !== 'd' && creator && { u: { _id: creator._id, username: creator.username } }),
        ...(room.t === 'd' && {
            uids: [...room.members],
            usernames: room.members.map((id) => state.getUser(id)?.username).filter((x): x is string => !!x),
        }),
    };
}

const isAdmin = (user: StoredUser): boolean => !!user.roles?.includes('admin');

/** Channels: every user; private groups and direct rooms: their members, and admins. */
export function canRead(room: WorkspaceRoom, user: StoredUser): boolean {
    return room.t === 'c' || room.members.includes(user._id) || isAdmin(user);
}

const ROOM_PARAM = 'The parameter "roomId" or "roomName" is required [error-room-param-not-provided]';
const notFound = (kind: string) =>
    failure(`The required "roomId" or "roomName" param provided does not match any ${kind} [error-room-not-found]`, 'error-room-not-found');

/** The room a route names (`roomId`, `roomName`; `im.messages` also `username`), checked as Rocket.Chat checks it. */
export function findRoom(route: RoomRoute, query: Record<string, unknown>, user: StoredUser, state: WorkspaceState): WorkspaceRoom {
    const roomId = typeof query.roomId === 'string' && query.roomId ? query.roomId : undefined;
    const roomName = typeof query.roomName === 'string' && query.roomName ? query.roomName : undefined;
    const byName = (name: string) => [...state.rooms.values()].find((r) => r.name === name);
    if (route === 'im.messages') {
        const username = typeof query.username === 'string' && query.username ? query.username : undefined;
        if (!roomId && !username)
            throw failure('Body param "roomId" or "username" is required [error-room-param-not-provided]', 'error-room-param-not-provided');
        const other = username ? state.getUserByUsername(username) : undefined;
        const room = roomId
            ? state.rooms.get(roomId)
            : [...state.rooms.values()].find((r) => r.t === 'd' && !!other && r.members.includes(other._id) && r.members.includes(user._id));
        if (!room || room.t !== 'd')
            throw failure(
                'The required "roomId" or "username" param provided does not match any direct message [error-room-not-found]',
                'error-room-not-found',
            );
        if (!canRead(room, user)) throw new HttpError(403, { success: false, error: 'unauthorized' });
        return room;
    }
    if (!roomId && !roomName) throw failure(ROOM_PARAM, 'error-room-param-not-provided');
    const room = roomId ? state.rooms.get(roomId) : byName(roomName as string);
    if (route === 'rooms.info') {
        if (!room || !canRead(room, user)) throw failure('not-allowed', 'Not Allowed');
        return room;
    }
    const kind = route === 'channels.messages' ? 'c' : 'p';
    // A private group the caller cannot see is reported as not found, as Rocket.Chat does.
    if (!room || room.t !== kind || !canRead(room, user)) throw notFound(kind === 'c' ? 'channel' : 'group');
    return room;
}

/** The room's messages, newest first (or as `sort={"ts":1}` asks), one page. */
export function roomMessages(
    room: WorkspaceRoom,
    query: Record<string, unknown>,
    state: WorkspaceState,
    settings: PagingSettings,
): { messages: Record<string, unknown>[]; count: number; offset: number; total: number } {
    const { offset, count } = pagination(query, settings);
    let ascending = false;
    if (typeof query.sort === 'string') {
        try {
            ascending = (JSON.parse(query.sort) as { ts?: number }).ts === 1;
        } catch {
            throw failure('Invalid sort parameter provided: "' + query.sort + '" [error-invalid-sort]', 'error-invalid-sort');
        }
    }
    // Stored in the order they were sent: reversed first, so messages of the same millisecond stay newest first too.
    const all = [...state.messages.values()].filter((m) => m.room?.id === room._id).map((m) => restMessage(m, state));
    if (!ascending) all.reverse();
    const direction = ascending ? 1 : -1;
    all.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts as string) < (b.ts as string) ? -direction : direction));
    const messages = count === 0 ? all.slice(offset) : all.slice(offset, offset + count);
    return { messages, count: messages.length, offset, total: all.length };
}
