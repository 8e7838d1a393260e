import { FeedHead, META_KEY } from './feed';
import type { Lease } from './lease';
import type { SnapshotPointer } from './snapshot';
import type { SharedStore } from './store';

/** The few records that say where the cluster's directory stands, read together in one store read. */
export interface ClusterMeta {
    head?: FeedHead;
    snapshot?: SnapshotPointer;
    lease?: Lease;
}

export async function readMeta(store: SharedStore): Promise<ClusterMeta> {
    const meta: ClusterMeta = {};
    for (const record of (await store.find([META_KEY])) as Array<FeedHead | SnapshotPointer | Lease>) {
        if (record.kind === 'head') meta.head = record;
        if (record.kind === 'snapshot') meta.snapshot = record;
        if (record.kind === 'lease') meta.lease = record;
    }
    return meta;
}
