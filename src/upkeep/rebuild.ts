import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';

import { FEED_SLACK_MS } from '../cluster/feed';
import { claimLease, LEASE_TTL_MS, releaseLease, renewLease } from '../cluster/lease';
import { ClusterMeta, readMeta, SnapshotPointer, UpkeepState, writeUpkeepState } from '../cluster/meta';
import { dropOrphanedSnapshots, dropSnapshot, publishPointer, readSnapshot, writeSnapshot } from '../cluster/snapshot';
import type { KeyedRecordStore } from '../cluster/store';
import { Directory } from '../core/directory';
import { toUserRecord } from '../core/record';
import { crawlDirectory, crawlInto, passingSink } from './crawl';
import { DirectoryKeeper } from './keeper';
import { inBackground, pacer } from './pacer';
import { cheapPass, ReadSink } from './pass';

/** What directory.info reports about the first build this instance made. */
export interface BuildReport {
    builtAt: string;
    durationMs: number;
    bridgeCalls: number;
    rooms: number;
}

export interface RebuildContext {
    store: KeyedRecordStore;
    instanceId: string;
    reader: () => IRead;
    keeper: DirectoryKeeper;
    /** Makes a directory current (the keeper replays the changes meanwhile on it). */
    install: (directory: Directory) => Promise<void>;
    maxRoomMembers: () => number;
    onError: (error: unknown) => void;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
}

/** The feed grows this much past its base (in changes: at least this many, or this share of the users) before a new base is written. */
const COMPACT_MIN_CHANGES = 1000;
const COMPACT_SHARE = 0.1;
/** Feed minutes are kept this long after a new base, for instances still loading the one before. */
const FEED_GRACE_MS = 10 * 60_000;
/** Rooms updated this long before the last pass began are looked at again (clocks, writes in flight). */
const PASS_SLACK_MS = 5000;

/**
 * A new directory from a snapshot another instance published: read chunk by
 * chunk, completed by the feed from the moment its base was taken.
 */
export async function loadSnapshot(context: RebuildContext, pointer: SnapshotPointer): Promise<void> {
    const directory = new Directory([], { runInSteps: inBackground });
    const pace = pacer();
    await readSnapshot(context.store, pointer, async (chunk) => {
        for (const user of chunk) {
            directory.upsert(user);
            if (pace.due()) await pace.pause();
        }
    });
    await context.keeper.catchUp(directory, pointer.crawlStartedAt);
    await context.install(directory);
}

/** Runs `work` while holding the lease (renewed meanwhile) and returns what it gives; does nothing (undefined) when another instance holds it. */
async function withLease<T>(context: RebuildContext, meta: ClusterMeta, work: () => Promise<T>): Promise<T | undefined> {
    const { store, now } = context;
    const me = context.instanceId;
    if (!(await claimLease(store, meta.lease, me, now, context.sleep))) {
        return undefined;
    }
    const renewal = setInterval(() => void renewLease(store, me, now()).catch(context.onError), LEASE_TTL_MS / 3);
    try {
        return await work();
    } finally {
        clearInterval(renewal);
        await releaseLease(store, me);
    }
}

/**
 * The first build, when the cluster has no snapshot: crawls the workspace
 * into a new directory, installs it and publishes it as the first base.
 */
export async function firstBuild(context: RebuildContext, meta: ClusterMeta, installed: (report: BuildReport) => void): Promise<SnapshotPointer | undefined> {
    return withLease(context, meta, async () => {
        const { keeper, now } = context;
        keeper.keepChanges();
        const started = now();
        const { directory, report } = await crawlDirectory(context.reader(), { includeAppUser: true, maxRoomMembers: context.maxRoomMembers() });
        await keeper.catchUp(directory, started);
        await context.install(directory);
        installed({ builtAt: new Date(now()).toISOString(), durationMs: now() - started, ...report });
        const pointer = await writeBase(context, meta.snapshot, started, false);
        const lastFull = { at: new Date(started).toISOString(), durationMs: now() - started, ...report };
        await writeUpkeepState(
            context.store,
            { lastPassStartedAt: started, lastFullAt: started, bigRooms: report.bigRooms, presumedRooms: report.presumedRooms },
            { lastFull },
        );
        return pointer;
    });
}

/**
 * The safety net, at a long interval: reads every room again (but those
 * known to be too big) and, by id, every user the directory holds that no
 * room read showed (users in no room, members of the skipped rooms). What
 * differs goes into the feed like any change, so every instance gets it
 * without loading anything; then a new base is written.
 */
export async function rereadAll(context: RebuildContext, meta: ClusterMeta, state: UpkeepState): Promise<SnapshotPointer | undefined> {
    const current = context.keeper.current;
    if (!current) return undefined;
    return withLease(context, meta, async () => {
        const { keeper, now } = context;
        const started = now();
        const read = context.reader();
        // What the rooms show goes to the keeper as it is read: no second directory is made.
        const sink = new ReadSink(current, (change) => keeper.record(change), now);
        const reading = passingSink((user) => sink.offer(toUserRecord(user), started));
        const pace = pacer();
        const report = await crawlInto(read, reading, { includeAppUser: false, maxRoomMembers: context.maxRoomMembers(), bigRooms: state.bigRooms, pace });
        const unmet = [...current.ids()].filter((id) => !reading.has(id));
        reading.met.clear();
        await sink.byId(read, unmet, pace);
        const pointer = await writeBase(context, meta.snapshot, now(), true);
        const lastFull = {
            at: new Date(started).toISOString(),
            durationMs: now() - started,
            ...report,
            readById: unmet.length,
            bridgeCalls: report.bridgeCalls + sink.report.bridgeCalls,
            userReads: report.userReads + sink.report.userReads,
            changes: sink.report.changes,
        };
        // Rooms skipped now stay known as big, with the rooms found big now.
        await writeUpkeepState(
            context.store,
            { lastPassStartedAt: started, lastFullAt: started, bigRooms: { ...report.skippedRooms, ...report.bigRooms }, presumedRooms: report.presumedRooms },
            { lastFull },
        );
        return pointer;
    });
}

/**
 * The cheap pass (pass.ts), every period, then a new base when the feed has
 * grown enough past the current one.
 */
export async function passAndCompact(context: RebuildContext, meta: ClusterMeta, state: UpkeepState): Promise<SnapshotPointer | undefined> {
    const current = context.keeper.current;
    if (!current) return undefined;
    return withLease(context, meta, async () => {
        const { keeper, now } = context;
        const started = now();
        const sink = new ReadSink(current, (change) => keeper.record(change), now);
        const report = await cheapPass(context.reader(), sink, current, {
            since: state.lastPassStartedAt - PASS_SLACK_MS,
            maxRoomMembers: context.maxRoomMembers(),
            bigRooms: state.bigRooms,
        });
        const lastPass = { at: new Date(started).toISOString(), durationMs: now() - started, ...report };
        await writeUpkeepState(context.store, { ...state, lastPassStartedAt: started, bigRooms: { ...state.bigRooms, ...report.bigRooms } }, { lastPass });
        const compact = keeper.changesSinceBase >= Math.max(COMPACT_MIN_CHANGES, COMPACT_SHARE * current.size);
        return compact ? writeBase(context, meta.snapshot, now(), true) : undefined;
    });
}

/**
 * Writes the current directory as a new base and publishes it: its feed is
 * replayed from a little before `takenAt`. Cleans up after writers that died
 * first, drops the feed's minutes no base needs any more and the snapshot
 * before the previous one.
 */
async function writeBase(context: RebuildContext, previous: SnapshotPointer | undefined, takenAt: number, adoptable: boolean): Promise<SnapshotPointer> {
    const { store, keeper, now } = context;
    const directory = keeper.current as Directory;
    const me = context.instanceId;
    await keeper.flush();
    // Whatever the others published up to now goes into the base (it is replayed from a little before `takenAt` only).
    await keeper.follow(await readMeta(store));
    await dropOrphanedSnapshots(store, [previous?.id, previous?.previous]);
    const id = `${me}-${takenAt.toString(36)}`;
    const from = takenAt - FEED_SLACK_MS;
    // Records are built a chunk at a time, from the ids as they are now.
    const ids = [...directory.ids()];
    const records = (function* () {
        for (const userId of ids) {
            const record = directory.get(userId);
            if (record) yield record;
        }
    })();
    const written = await writeSnapshot(store, id, records, takenAt);
    const retainFeedFrom = Math.min(from - 60_000, now() - FEED_GRACE_MS);
    const prunedThroughMinute = await keeper.pruneFeed(previous ? previous.prunedThroughMinute + 1 : Math.floor(retainFeedFrom / 60_000), retainFeedFrom);
    const pointer: SnapshotPointer = {
        kind: 'snapshot',
        id,
        previous: previous?.id,
        builder: me,
        crawlStartedAt: from,
        builtAt: now(),
        users: written.users,
        chunks: written.chunks,
        bytes: written.bytes,
        prunedThroughMinute,
        adoptable,
    };
    await publishPointer(store, pointer);
    keeper.changesSinceBase = 0;
    if (previous?.previous) {
        await dropSnapshot(store, previous.previous);
    }
    return pointer;
}

/** The state of a cluster whose snapshot was published before the upkeep kept one. */
export function upkeepStateOf(meta: ClusterMeta): UpkeepState {
    const since = meta.snapshot?.crawlStartedAt ?? 0;
    return meta.upkeep ?? { kind: 'upkeep', lastPassStartedAt: since, lastFullAt: since, bigRooms: {} };
}
