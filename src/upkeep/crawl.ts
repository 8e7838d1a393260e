import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { Directory } from '../core/directory';
import { toUserRecord } from '../core/record';
import { COMMON_SORTS } from '../core/sortOrder';
import { inBackground, Pacer, pacer, runPaced } from './pacer';

/** What one crawl of the workspace cost and found. */
export interface CrawlReport {
    bridgeCalls: number;
    rooms: number;
    /** Users the server read for the app (one per member of each room read, plus the app user). */
    userReads: number;
    /** The longest the app's loop went without a turn during the crawl (its own steps, the runtime's decoding, garbage collection). */
    loopHeldMs: number;
}

const ROOM_PAGE_SIZE = 100; // the most getAllRooms hands out at once
const MEMBER_READS_IN_FLIGHT = 4;

/**
 * Reads every room's members (plus the app user, when asked) into a new
 * directory. Users of `previous` that no room shows any more (in no room now,
 * or met only through events) are carried over: only a deletion removes a user.
 *
 * The crawl never holds the loop for long: it pauses every few milliseconds
 * (requests and events run meanwhile), adds users to the directory as they
 * arrive and lets go of each member handed over once it is added, so a big
 * room's members are garbage as early as possible. The directory comes back
 * with its common sort orders and search texts built, in the same steps.
 */
export async function crawlDirectory(
    read: IRead,
    previous: Directory | undefined,
    options: { includeAppUser: boolean; pace?: Pacer; now?: () => number },
): Promise<{ directory: Directory; report: CrawlReport }> {
    const pace = options.pace ?? pacer();
    const watch = watchLoop(options.now ?? Date.now);
    try {
        const { directory, bridgeCalls, rooms, userReads } = await crawl(read, previous, options.includeAppUser, pace);
        return { directory, report: { bridgeCalls, rooms, userReads, loopHeldMs: watch.longestMs() } };
    } finally {
        watch.stop();
    }
}

async function crawl(read: IRead, previous: Directory | undefined, includeAppUser: boolean, pace: Pacer) {
    const rooms = read.getRoomReader();
    const directory = new Directory([], { runInSteps: inBackground });
    const add = (user: IUser | undefined) => {
        if (user?.id && !directory.has(user.id)) {
            directory.upsert(toUserRecord(user));
        }
    };

    let bridgeCalls = 0;
    let userReads = 0;
    if (includeAppUser) {
        add(await read.getUserReader().getAppUser());
        bridgeCalls++;
        userReads++;
    }
    const readMembers = async (room: IRoomRaw) => {
        const members: Array<IUser | undefined> = await rooms.getMembers(room.id);
        bridgeCalls++;
        userReads += members.length;
        for (let i = 0; i < members.length; i++) {
            add(members[i]);
            members[i] = undefined;
            if (pace.due()) await pace.pause();
        }
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
        // Only what a direct room's later check needs is kept.
        directRooms.push(...page.filter(isDirect).map((room) => ({ id: room.id, userIds: room.userIds }) as IRoomRaw));
        await forEachLimited(
            page.filter((room) => !isDirect(room)),
            MEMBER_READS_IN_FLIGHT,
            readMembers,
        );
        if (page.length < ROOM_PAGE_SIZE) {
            break;
        }
    }
    const unmet = directRooms.filter((room) => room.userIds?.some((id) => !directory.has(id)));
    directRooms.length = 0;
    await forEachLimited(unmet, MEMBER_READS_IN_FLIGHT, async (room) => {
        if (room.userIds?.some((id) => !directory.has(id))) {
            await readMembers(room);
        }
    });

    for (const id of previous?.ids() ?? []) {
        const record = directory.has(id) ? undefined : previous?.get(id);
        if (record) {
            directory.upsert(record);
        }
        if (pace.due()) await pace.pause();
    }
    await runPaced(directory.preparation(COMMON_SORTS), pace);
    return { directory, bridgeCalls, rooms: roomCount, userReads };
}

export const WATCH_INTERVAL_MS = 5;

/** Measures how late a short timer fires: the longest the loop was held by anything. */
function watchLoop(now: () => number): { longestMs(): number; stop(): void } {
    let last = now();
    let longest = 0;
    const timer = setInterval(() => {
        const time = now();
        longest = Math.max(longest, time - last - WATCH_INTERVAL_MS);
        last = time;
    }, WATCH_INTERVAL_MS);
    return { longestMs: () => Math.max(longest, now() - last - WATCH_INTERVAL_MS, 0), stop: () => clearInterval(timer) };
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
