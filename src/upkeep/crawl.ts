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
    /** Rooms not read whole: their member count when last read. */
    skippedRooms: Record<string, number>;
    /** Rooms read now with more members than the limit: not read whole again. */
    bigRooms: Record<string, number>;
    /** Default channels in `bigRooms` never read: their member count is presumed (see `ONE_MESSAGE_MEMBERS`). */
    presumedRooms: string[];
}

export interface CrawlOptions {
    includeAppUser: boolean;
    /** Rooms with more members than this, as last read, are not read whole. */
    maxRoomMembers?: number;
    /** Member counts of rooms known to be bigger than the limit. */
    bigRooms?: Readonly<Record<string, number>>;
    pace?: Pacer;
    now?: () => number;
}

/** Where a crawl puts the users it meets: each is handed over once. */
export interface CrawlSink {
    has(id: string): boolean;
    add(user: IUser): void;
    readonly size: number;
}

/** A sink that only remembers who it met, and hands each user on. */
export function passingSink(onUser: (user: IUser) => void): CrawlSink & { met: Set<string> } {
    const met = new Set<string>();
    return {
        met,
        has: (id) => met.has(id),
        add: (user) => {
            met.add(user.id);
            onUser(user);
        },
        get size() {
            return met.size;
        },
    };
}

export const ROOM_PAGE_SIZE = 100; // the most getAllRooms hands out at once
export const MEMBER_READS_IN_FLIGHT = 4;
/**
 * The most members a room may have to be read whole at all, whatever the
 * settings: getMembers hands them over in one message (about 36 MB per
 * 100,000 members), which the engine's runtime takes in whole. 200,000 were
 * measured to arrive in seconds; 1,000,000 never arrive (the runtime grows
 * past 3 GB and stops answering). A default channel, which every user joins
 * at sign-up, is presumed to hold as many members as the users known without
 * it, and is not read when that is more.
 */
export const ONE_MESSAGE_MEMBERS = 200_000;

/** The largest room read whole again: the setting, within what one message can carry. */
export const readWholeUpTo = (maxRoomMembers: number | undefined) => Math.min(maxRoomMembers ?? Infinity, ONE_MESSAGE_MEMBERS);

/**
 * Reads the workspace into a new directory (see `crawlInto`), returned with
 * its common sort orders and search texts built, in the same paced steps.
 */
export async function crawlDirectory(read: IRead, options: CrawlOptions): Promise<{ directory: Directory; report: CrawlReport }> {
    const pace = options.pace ?? pacer();
    const directory = new Directory([], { runInSteps: inBackground });
    const sink: CrawlSink = {
        has: (id) => directory.has(id),
        add: (user) => directory.upsert(toUserRecord(user)),
        get size() {
            return directory.size;
        },
    };
    const report = await crawlInto(read, sink, { ...options, pace });
    await runPaced(directory.preparation(COMMON_SORTS), pace);
    return { directory, report };
}

/**
 * Reads every room's members (plus the app user, when asked) into `sink`,
 * except rooms known to have more members than `maxRoomMembers` and default
 * channels presumed too big for one message (their members are found
 * otherwise: see docs/freshness.md). A room read now that turns out bigger
 * is reported, so that later crawls skip it.
 *
 * The crawl never holds the loop for long: it pauses every few milliseconds
 * (requests and events run meanwhile), hands users to the sink as they
 * arrive and lets go of each member handed over once it is added, so a big
 * room's members are garbage as early as possible.
 */
export async function crawlInto(read: IRead, sink: CrawlSink, options: CrawlOptions): Promise<CrawlReport> {
    const watch = watchLoop(options.now ?? Date.now);
    try {
        const counts = await crawl(read, sink, options, options.pace ?? pacer());
        return { ...counts, loopHeldMs: watch.longestMs() };
    } finally {
        watch.stop();
    }
}

async function crawl(read: IRead, sink: CrawlSink, options: CrawlOptions, pace: Pacer) {
    const includeAppUser = options.includeAppUser;
    const limit = readWholeUpTo(options.maxRoomMembers);
    const known = options.bigRooms ?? {};
    const skippedRooms: Record<string, number> = {};
    const bigRooms: Record<string, number> = {};
    const presumedRooms: string[] = [];
    const rooms = read.getRoomReader();
    const add = (user: IUser | undefined) => {
        if (user?.id && !sink.has(user.id)) {
            sink.add(user);
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
        if (members.length > limit) bigRooms[room.id] = members.length;
        for (let i = 0; i < members.length; i++) {
            add(members[i]);
            members[i] = undefined;
            if (pace.due()) await pace.pause();
        }
    };
    // A direct room names its members' ids: it is read only if one of
    // them is met nowhere else, after all the other rooms.
    const directRooms: IRoomRaw[] = [];
    // Default channels are read after the other rooms, when their presumed size allows.
    const defaultRooms: string[] = [];
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
        const isDefault = (room: IRoomRaw) => room.isDefault === true;
        defaultRooms.push(...page.filter((room) => !isDirect(room) && isDefault(room)).map((room) => room.id));
        const others = page.filter((room) => !isDirect(room) && !isDefault(room));
        others.filter((room) => known[room.id] > limit).forEach((room) => (skippedRooms[room.id] = known[room.id]));
        await forEachLimited(
            others.filter((room) => !(known[room.id] > limit)),
            MEMBER_READS_IN_FLIGHT,
            readMembers,
        );
        if (page.length < ROOM_PAGE_SIZE) {
            break;
        }
    }
    const presumed = defaultRooms.length > 0 ? presumedMembers(sink, directRooms) : 0;
    for (const roomId of defaultRooms) {
        if (presumed > ONE_MESSAGE_MEMBERS) {
            skippedRooms[roomId] = bigRooms[roomId] = presumed;
            presumedRooms.push(roomId);
        } else if (known[roomId] > limit) {
            skippedRooms[roomId] = known[roomId];
        } else {
            await readMembers({ id: roomId } as IRoomRaw);
        }
    }
    const unmet = directRooms.filter((room) => room.userIds?.some((id) => !sink.has(id)));
    directRooms.length = 0;
    await forEachLimited(unmet, MEMBER_READS_IN_FLIGHT, async (room) => {
        if (room.userIds?.some((id) => !sink.has(id))) {
            await readMembers(room);
        }
    });
    return { bridgeCalls, rooms: roomCount, userReads, skippedRooms, bigRooms, presumedRooms };
}

/**
 * Every user joins the default channels at sign-up, so one holds about as
 * many members as the workspace has users: at least those known so far, and
 * the direct rooms' members (named without a read).
 */
function presumedMembers(known: CrawlSink, directRooms: readonly IRoomRaw[]): number {
    const elsewhere = new Set<string>();
    for (const room of directRooms) {
        for (const id of room.userIds ?? []) {
            if (!known.has(id)) elsewhere.add(id);
        }
    }
    return known.size + elsewhere.size;
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

export async function forEachLimited<T>(items: readonly T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            await action(items[next++]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
