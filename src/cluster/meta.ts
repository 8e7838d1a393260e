import type { KeyedRecordStore } from './store';

/**
 * The few records that say where the cluster's directory stands: the feed's
 * head, the crawl lease and the snapshot pointer. Each is filed under META_KEY
 * as well as its own key, so that an instance reads them all in one store read.
 */
const META_KEY = 'user-directory/meta';
export const HEAD_KEYS = [META_KEY, 'user-directory/head'];
export const LEASE_KEYS = [META_KEY, 'user-directory/lease'];
export const POINTER_KEYS = [META_KEY, 'user-directory/snapshot'];

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
    /** The feed's minutes up to this one have been dropped. */
    prunedThroughMinute: number;
}

export interface ClusterMeta {
    head?: FeedHead;
    snapshot?: SnapshotPointer;
    lease?: Lease;
}

export async function readMeta(store: KeyedRecordStore): Promise<ClusterMeta> {
    const meta: ClusterMeta = {};
    for (const record of (await store.find([META_KEY])) as Array<FeedHead | SnapshotPointer | Lease>) {
        if (record.kind === 'head') meta.head = record;
        if (record.kind === 'snapshot') meta.snapshot = record;
        if (record.kind === 'lease') meta.lease = record;
    }
    return meta;
}
