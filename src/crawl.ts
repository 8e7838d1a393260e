import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { Directory } from './core/directory';
import { EngineUser, toUserRecord, UserRecord } from './core/record';

/** What one crawl of the workspace cost and found. */
export interface CrawlReport {
    bridgeCalls: number;
    rooms: number;
}

const ROOM_PAGE_SIZE = 100; // the most getAllRooms hands out at once
const MEMBER_READS_IN_FLIGHT = 4;

/**
 * Reads every room's members (plus the app user, when asked) into a new
 * directory. Users of `previous` that no room shows any more (in no room now,
 * or met only through events) are carried over: only a deletion removes a user.
 */
export async function crawlDirectory(
    read: IRead,
    previous: Directory | undefined,
    options: { includeAppUser: boolean },
): Promise<{ directory: Directory; report: CrawlReport }> {
    const rooms = read.getRoomReader();
    const seen = new Map<string, UserRecord>();
    const add = (user: IUser | undefined) => {
        if (user?.id && !seen.has(user.id)) {
            seen.set(user.id, toUserRecord(user as unknown as EngineUser));
        }
    };

    let bridgeCalls = 0;
    if (options.includeAppUser) {
        add(await read.getUserReader().getAppUser());
        bridgeCalls++;
    }
    const readMembers = async (room: IRoomRaw) => {
        (await rooms.getMembers(room.id)).forEach(add);
        bridgeCalls++;
    };
    // A direct room names its members' ids: it is read only if one of
    // them is met nowhere else, after all the other rooms.
    const directRooms: IRoomRaw[] = [];
    let roomCount = 0;
    for (let skip = 0; ; skip += ROOM_PAGE_SIZE) {
        const page = await rooms.getAllRooms({}, { limit: ROOM_PAGE_SIZE, skip });
        bridgeCalls++;
        if (!page) {
            throw new Error('The app cannot list rooms: grant it the room.system.view-all permission');
        }
        roomCount += page.length;
        const isDirect = (room: IRoomRaw) => room.type === RoomType.DIRECT_MESSAGE && Array.isArray(room.userIds) && room.userIds.length > 0;
        directRooms.push(...page.filter(isDirect));
        await forEachLimited(page.filter((room) => !isDirect(room)), MEMBER_READS_IN_FLIGHT, readMembers);
        if (page.length < ROOM_PAGE_SIZE) {
            break;
        }
    }
    const unmet = directRooms.filter((room) => room.userIds?.some((id) => !seen.has(id)));
    await forEachLimited(unmet, MEMBER_READS_IN_FLIGHT, async (room) => {
        if (room.userIds?.some((id) => !seen.has(id))) {
            await readMembers(room);
        }
    });

    for (const record of previous?.records() ?? []) {
        if (!seen.has(record._id)) {
            seen.set(record._id, record);
        }
    }
    return { directory: new Directory(seen.values()), report: { bridgeCalls, rooms: roomCount } };
}

async function forEachLimited<T>(items: readonly T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            await action(items[next++]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
