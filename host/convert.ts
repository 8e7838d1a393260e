/**
 * Conversions between the workspace's Rocket.Chat-shaped records and the
 * Apps-Engine's shapes, mirroring Rocket.Chat's own converters
 * (apps/meteor/app/apps/server/converters/users.ts and rooms.ts).
 */
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms/IRoomRaw';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { WorkspaceRoom, WorkspaceUser } from './workspace';

/** A workspace user as stored by the host: the Rocket.Chat document plus fields the host keeps. */
export type StoredUser = WorkspaceUser & { appId?: string; bio?: string; settings?: { preferences?: { language?: string } }; federation?: unknown };

function toDate(value: string | Date | undefined): Date | undefined {
    if (value === undefined || value === null) return undefined;
    if (value instanceof Date) return value;
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Rocket.Chat's AppUsersConverter._convertUserTypeToEnum. */
function convertUserType(type: string | undefined): string {
    switch (type) {
        case 'user':
            return 'user';
        case 'bot':
            return 'bot';
        case 'app':
            return 'app';
        case '':
        case undefined:
            return 'unknown';
        default:
            return type.toUpperCase();
    }
}

/** Rocket.Chat's AppUsersConverter._convertStatusConnectionToEnum. */
function convertStatusConnection(status: string | undefined): string {
    switch (status) {
        case 'offline':
            return 'offline';
        case 'online':
            return 'online';
        case 'away':
            return 'away';
        case 'busy':
            return 'busy';
        case undefined:
            return 'undefined';
        default:
            return !status ? 'offline' : status.toUpperCase();
    }
}

/**
 * Rocket.Chat's AppUsersConverter.convertToApp: the IUser an app receives.
 * Absent fields stay present as `undefined` (they reach the app as `null`,
 * exactly as from a Rocket.Chat server).
 */
export function toAppUser(user: Partial<StoredUser> & { _id: string }): IUser {
    return {
        id: user._id,
        username: user.username,
        emails: user.emails,
        type: convertUserType(user.type),
        isEnabled: user.active,
        name: user.name,
        roles: user.roles,
        bio: user.bio,
        status: user.status,
        statusText: user.statusText,
        statusConnection: convertStatusConnection(user.statusConnection),
        utcOffset: user.utcOffset,
        createdAt: toDate(user.createdAt),
        updatedAt: toDate(user._updatedAt),
        lastLoginAt: toDate(user.lastLogin),
        appId: user.appId,
        customFields: user.customFields,
        isFederated: user.federated,
        federation: user.federation,
        sipExtension: user.freeSwitchExtension,
        settings: {
            preferences: {
                ...(user.settings?.preferences?.language && { language: user.settings.preferences.language }),
            },
        },
    } as unknown as IUser;
}

function removeEmpty<T extends Record<string, unknown>>(obj: T): T {
    for (const key of Object.keys(obj)) {
        if (obj[key] === undefined || obj[key] === null) delete obj[key];
    }
    return obj;
}

function iso(value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    const d = value instanceof Date ? value : new Date(value as string);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Rocket.Chat's AppUsersConverter.convertToRocketChat (dates kept as ISO strings). */
export function fromAppUser(user: Partial<IUser> & Record<string, unknown>): Partial<StoredUser> {
    return removeEmpty<Record<string, unknown>>({
        _id: user.id,
        username: user.username,
        emails: user.emails,
        type: user.type,
        active: user.isEnabled,
        name: user.name,
        roles: user.roles,
        bio: user.bio,
        status: user.status,
        statusConnection: user.statusConnection,
        utcOffset: user.utcOffset ?? (user as { utfOffset?: number }).utfOffset,
        createdAt: iso(user.createdAt),
        _updatedAt: iso(user.updatedAt),
        lastLogin: iso(user.lastLoginAt),
        appId: user.appId,
        federated: user.isFederated,
        federation: user.federation,
        freeSwitchExtension: user.sipExtension,
    });
}

function roomType(t: string): string {
    return t; // 'c' | 'p' | 'd' | 'l' are the engine's RoomType values
}

/** Rocket.Chat's AppRoomsConverter.convertRoom, for the host's room documents. */
export function toAppRoom(room: WorkspaceRoom, creator: IUser | undefined): IRoom {
    return {
        id: room._id,
        displayName: (room as { fname?: string }).fname,
        slugifiedName: room.name,
        type: roomType(room.t),
        creator,
        userIds: room.t === 'd' ? [...room.members] : undefined,
        isDefault: room._id === 'GENERAL',
        isReadOnly: room.ro === true,
        displaySystemMessages: true,
        messageCount: 0,
        createdAt: toDate(room.ts),
        updatedAt: toDate(room._updatedAt),
        lastModifiedAt: toDate(room.lm),
    } as unknown as IRoom;
}

/**
 * Rocket.Chat's AppRoomsConverter.convertRoomRaw (used by getAllRooms): the
 * document's fields renamed, `ro` as stored (`false` once cleared), dates
 * (`ts`, `_updatedAt`, `lm`) as they are.
 */
export function toAppRoomRaw(room: WorkspaceRoom, creator: { _id: string; username?: string; name?: string } | undefined, usernames: () => string[]): IRoomRaw {
    const raw: Record<string, unknown> = {
        id: room._id,
        slugifiedName: room.name,
        type: roomType(room.t),
        isDefault: room._id === 'GENERAL' ? true : undefined,
        isReadOnly: room.ro,
        displaySystemMessages: true,
        messageCount: 0,
        createdAt: toDate(room.ts),
        updatedAt: toDate(room._updatedAt),
        lastModifiedAt: toDate(room.lm),
    };
    if (creator) raw.creator = creator;
    if (room.t === 'd') {
        raw.userIds = [...room.members];
        raw.usernames = usernames();
    }
    return removeEmpty(raw) as unknown as IRoomRaw;
}

/** The user document as Rocket.Chat's REST API returns it (no secrets). */
export function publicUser(user: StoredUser): Record<string, unknown> {
    const { authToken, personalAccessTokens, ...rest } = user;
    void authToken;
    void personalAccessTokens;
    return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}
