import type { KeyedRecordStore } from './store';

/**
 * The few records that say where the cluster's directory stands: the feed's
 * head, the crawl lease, the snapshot pointer and the upkeep's state. Each is filed under META_KEY
 * as well as its own key, so that an instance reads them all in one store read.
 */
const META_KEY = 'user-directory/meta';
export const HEAD_KEYS = [META_KEY, 'user-directory/head'];
export const LEASE_KEYS = [META_KEY, 'user-directory/lease'];
export const POINTER_KEYS = [META_KEY, 'user-directory/snapshot'];
export const UPKEEP_KEYS = [META_KEY, 'user-directory/upkeep'];

/** The head of the feed: the id of the latest entry, rewritten by every publish. */
export interface FeedHead {
    kind: 'head';
    entry: string;
}

/** Who crawls the workspace now. It expires if its holder dies. */
export interface Lease {
    kind: 'lease';
    holder: string;
    until: number;
}

/** Where the current snapshot is: the one meta record every instance polls. */
export interface SnapshotPointer {
    kind: 'snapshot';
    id: string;
    /** The snapshot before this one, kept while instances may still be loading it. */
    previous?: string;
    builder: string;
    /** When the crawl began: changes from then on are replayed on top of it. */
    crawlStartedAt: number;
    builtAt: number;
    users: number;
    chunks: number;
    /** Bytes of JSON its chunks hold. */
    bytes?: number;
    /** The feed's minutes up to this one have been dropped. */
    prunedThroughMinute: number;
    /**
     * The directory as the feed already made it on every instance that
     * follows it (a compaction, or a full re-read whose differences went into
     * the feed): such an instance takes the pointer without loading it. Only
     * instances without a directory load it. Missing: everyone loads it.
     */
    adoptable?: boolean;
}

/** A room not read whole with getMembers, and why. */
export interface SkippedRoom {
    id: string;
    /** Its members when it was last read. */
    members: number;
    reason: string;
}

/** Where the upkeep stands, for the next pass (on any instance). */
export interface UpkeepState {
    kind: 'upkeep';
    /** When the last cheap pass (or the first build) began: rooms updated since are looked at. */
    lastPassStartedAt: number;
    /** When the last full re-read began. */
    lastFullAt: number;
    /** Rooms whose members, last read, were more than the largest room read whole. */
    bigRooms: Record<string, number>;
    /** Default channels among them never read: their member count is presumed. */
    presumedRooms?: string[];
}

/**
 * What the last pass and the last full read did, for directory.info on every
 * instance. Not among the meta records: instances read it only when the
 * upkeep state says a pass or a full read has ended since (polls stay small).
 */
export interface UpkeepReports {
    kind: 'upkeep-reports';
    lastPass?: Record<string, unknown>;
    lastFull?: Record<string, unknown>;
}

const REPORTS_KEYS = ['user-directory/upkeep-reports'];

export interface ClusterMeta {
    head?: FeedHead;
    snapshot?: SnapshotPointer;
    lease?: Lease;
    upkeep?: UpkeepState;
}

export async function readMeta(store: KeyedRecordStore): Promise<ClusterMeta> {
    const meta: ClusterMeta = {};
    for (const record of (await store.find([META_KEY])) as Array<FeedHead | SnapshotPointer | Lease | UpkeepState>) {
        if (record.kind === 'head') meta.head = record;
        if (record.kind === 'snapshot') meta.snapshot = record;
        if (record.kind === 'lease') meta.lease = record;
        if (record.kind === 'upkeep') meta.upkeep = record;
    }
    return meta;
}

/** Writes the upkeep state, with the report of what just ended written first (so that a reader who sees the state finds it). */
export async function writeUpkeepState(
    store: KeyedRecordStore,
    state: Omit<UpkeepState, 'kind'>,
    report: Pick<UpkeepReports, 'lastPass' | 'lastFull'>,
): Promise<void> {
    const reports: UpkeepReports = { ...(await readUpkeepReports(store)), ...report, kind: 'upkeep-reports' };
    await store.put(REPORTS_KEYS, reports);
    const { lastPassStartedAt, lastFullAt, bigRooms, presumedRooms } = state;
    const upkeep: UpkeepState = { kind: 'upkeep', lastPassStartedAt, lastFullAt, bigRooms, presumedRooms };
    await store.put(UPKEEP_KEYS, upkeep);
}

export async function readUpkeepReports(store: KeyedRecordStore): Promise<UpkeepReports | undefined> {
    const [reports] = (await store.find(REPORTS_KEYS)) as UpkeepReports[];
    return reports;
}
