import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Change } from '../cluster/changes';
import type { Directory } from '../core/directory';
import { RECORD_FIELDS, toUserRecord, UserRecord } from '../core/record';
import { forEachLimited, MEMBER_READS_IN_FLIGHT, readWholeUpTo, ROOM_PAGE_SIZE } from './crawl';
import { Pacer, pacer } from './pacer';

/** What the reads of a pass found and cost. */
export interface ReadReport {
    bridgeCalls: number;
    /** Users the server read for the app: one per member of a room read, one per user read by id. */
    userReads: number;
    /** Changes the reads found (users that differ from the directory, users gone). */
    changes: number;
}

export interface PassReport extends ReadReport {
    rooms: number;
    /** Rooms whose `updatedAt` is at or after the pass's `since`. */
    roomsUpdated: number;
    /** Rooms read whole with getMembers. */
    roomsRead: number;
    /** Users read by id (members of direct rooms whose read-only flag disagrees with them). */
    readById: number;
    skippedRooms: Record<string, number>;
    bigRooms: Record<string, number>;
}

export interface PassOptions {
    /** Rooms updated at or after this moment (ms) are looked at. */
    since: number;
    maxRoomMembers: number;
    bigRooms: Readonly<Record<string, number>>;
    pace?: Pacer;
}

/** Hands what the reads found to the keeper: only users that differ from the directory, with when the read was issued. */
export class ReadSink {
    readonly report: ReadReport = { bridgeCalls: 0, userReads: 0, changes: 0 };

    constructor(
        private readonly directory: Directory,
        private readonly record: (change: Change) => void,
        private readonly now: () => number,
    ) {}

    offer(record: UserRecord, asOf: number): void {
        if (!sameUser(record, this.directory.get(record._id))) {
            this.report.changes++;
            this.record({ op: 'upsert', record, asOf });
        }
    }

    gone(id: string, asOf: number): void {
        if (this.directory.has(id)) {
            this.report.changes++;
            this.record({ op: 'remove', id, asOf });
        }
    }

    async members(read: IRead, roomId: string, pace: Pacer): Promise<number> {
        const asOf = this.now();
        const members: Array<IUser | undefined> = await read.getRoomReader().getMembers(roomId);
        this.report.bridgeCalls++;
        this.report.userReads += members.length;
        const count = members.length;
        for (let i = 0; i < members.length; i++) {
            const member = members[i];
            if (member?.id) this.offer(toUserRecord(member), asOf);
            members[i] = undefined;
            if (pace.due()) await pace.pause();
        }
        return count;
    }

    /** Reads users one by id (four at a time); a user the server no longer has is removed. */
    async byId(read: IRead, ids: readonly string[], pace: Pacer): Promise<void> {
        await forEachLimited(ids, MEMBER_READS_IN_FLIGHT, async (id) => {
            const asOf = this.now();
            const user = await read.getUserReader().getById(id);
            this.report.bridgeCalls++;
            this.report.userReads++;
            if (user?.id) this.offer(toUserRecord(user), asOf);
            else this.gone(id, asOf);
            if (pace.due()) await pace.pause();
        });
    }
}

/**
 * The cheap pass, run every period by one instance: one look at every room
 * without its members (getAllRooms), then reads of just what may have
 * changed since the last pass:
 *
 * - a direct room updated since the last pass whose read-only flag
 *   disagrees with its members as the directory holds them (Rocket.Chat
 *   marks a deactivated user's direct rooms read-only and clears it on
 *   reactivation, without an app event): those members, by id;
 * - any other room updated since the last pass, unless it is bigger than
 *   the largest room read whole: its members.
 *
 * Rooms without `updatedAt` count as not updated.
 */
export async function cheapPass(read: IRead, sink: ReadSink, directory: Directory, options: PassOptions): Promise<PassReport> {
    const pace = options.pace ?? pacer();
    const rooms = read.getRoomReader();
    const report: PassReport = { ...sink.report, rooms: 0, roomsUpdated: 0, roomsRead: 0, readById: 0, skippedRooms: {}, bigRooms: {} };
    const toRead: string[] = [];
    const byId = new Set<string>();
    const limit = readWholeUpTo(options.maxRoomMembers);
    for (let skip = 0; ; skip += ROOM_PAGE_SIZE) {
        const page = await rooms.getAllRooms({}, { limit: ROOM_PAGE_SIZE, skip });
        sink.report.bridgeCalls++;
        if (!page) {
            throw new Error('The app cannot list rooms: grant it the room.system.view-all permission');
        }
        report.rooms += page.length;
        for (const room of page) {
            const updated = updatedSince(room, options.since);
            if (updated) report.roomsUpdated++;
            if (room.type === RoomType.DIRECT_MESSAGE && Array.isArray(room.userIds)) {
                directRoomSuspects(room, directory, updated).forEach((id) => byId.add(id));
            } else if (updated && options.bigRooms[room.id] > limit) {
                report.skippedRooms[room.id] = options.bigRooms[room.id];
            } else if (updated) {
                toRead.push(room.id);
            }
        }
        if (page.length < ROOM_PAGE_SIZE) break;
        if (pace.due()) await pace.pause();
    }
    await forEachLimited(toRead, MEMBER_READS_IN_FLIGHT, async (roomId) => {
        const members = await sink.members(read, roomId, pace);
        if (members > limit) report.bigRooms[roomId] = members;
    });
    report.roomsRead = toRead.length;
    report.readById = byId.size;
    await sink.byId(read, [...byId], pace);
    return { ...report, ...sink.report };
}

function updatedSince(room: IRoomRaw, since: number): boolean {
    const time = room.updatedAt === undefined || room.updatedAt === null ? NaN : new Date(room.updatedAt).getTime();
    return time >= since;
}

/**
 * Members of a direct room updated since the last pass whose active status
 * the room's read-only flag puts in doubt (or whom the directory lacks).
 * Rocket.Chat sets and clears the flag with the active status, which moves
 * the room's `updatedAt`: a room not updated has nothing new to say (a flag
 * that disagrees since before the app came is not read again every pass).
 */
export function directRoomSuspects(room: Pick<IRoomRaw, 'userIds' | 'isReadOnly'>, directory: Directory, updated: boolean): string[] {
    if (!updated) return [];
    const ids = room.userIds ?? [];
    const members = ids.map((id) => directory.get(id));
    const unknown = ids.filter((_, index) => !members[index]);
    // Read-only: someone was deactivated (both may have been); writable: nobody should show deactivated.
    const inDoubt = ids.filter((_, index) => members[index] && (members[index]?.active !== false) === (room.isReadOnly === true));
    return [...unknown, ...inDoubt];
}

/** Whether two records say the same, field by field (key order aside). */
export function sameUser(a: UserRecord, b: UserRecord | undefined): boolean {
    return !!b && RECORD_FIELDS.every((field) => JSON.stringify(a[field]) === JSON.stringify(b[field]));
}
