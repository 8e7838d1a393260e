import type { UserRecord } from '../core/record';
import { POINTER_KEYS, SnapshotPointer } from './meta';
import type { KeyedRecordStore } from './store';

const snapshotKey = (id: string) => `user-directory/snapshot/${id}`;
const chunkKey = (id: string, index: number) => `user-directory/snapshot/${id}/${index}`;
/** Marks a snapshot being written; the marker goes with the pointer, or with the snapshot's records when a writer cleans up after one that died. */
const PENDING_KEY = 'user-directory/snapshot-pending';

/**
 * Users per stored chunk: about 400 KB of JSON. Each chunk is one message
 * between the app's runtime and the server, and the runtime's encoder keeps
 * a buffer as big as twice the largest message it ever sent: 5,000 users a
 * chunk kept about 4 MB for good on the instance that writes the bases.
 */
export const CHUNK_USERS = 1000;

interface Chunk {
    index: number;
    users: UserRecord[];
}

interface PendingMarker {
    kind: 'snapshot-pending';
    id: string;
    startedAt: number;
}

/**
 * Writes the users as chunks of a new snapshot, after a marker that says it
 * is being written; the pointer is written last, once they are all in, so no
 * instance ever sees a snapshot in part.
 */
export async function writeSnapshot(
    store: KeyedRecordStore,
    id: string,
    users: Iterable<UserRecord>,
    startedAt: number,
): Promise<{ chunks: number; users: number; bytes: number }> {
    const marker: PendingMarker = { kind: 'snapshot-pending', id, startedAt };
    await store.add([PENDING_KEY, snapshotKey(id)], marker);
    let chunk: UserRecord[] = [];
    let chunks = 0;
    let count = 0;
    let bytes = 0;
    const writeChunk = async () => {
        const data: Chunk = { index: chunks, users: chunk };
        bytes += JSON.stringify(data).length;
        await store.add([snapshotKey(id), chunkKey(id, chunks)], data);
        chunks++;
        chunk = [];
    };
    for (const user of users) {
        chunk.push(user);
        count++;
        if (chunk.length === CHUNK_USERS) {
            await writeChunk();
        }
    }
    if (chunk.length > 0 || chunks === 0) {
        await writeChunk();
    }
    return { chunks, users: count, bytes };
}

/**
 * Reads a snapshot's users one chunk at a time (one store read each). A
 * chunk missing or not the one expected, or a count that differs from the
 * pointer's, fails the load: the directory is never made from part of one.
 */
export async function readSnapshot(store: KeyedRecordStore, pointer: SnapshotPointer, onChunk: (users: UserRecord[]) => Promise<void>): Promise<void> {
    let users = 0;
    for (let index = 0; index < pointer.chunks; index++) {
        const [chunk] = (await store.find([chunkKey(pointer.id, index)])) as Chunk[];
        if (!chunk || chunk.index !== index || !Array.isArray(chunk.users)) {
            throw new Error(`Snapshot ${pointer.id} lacks chunk ${index} (replaced while it was read)`);
        }
        users += chunk.users.length;
        await onChunk(chunk.users);
    }
    if (users !== pointer.users) {
        throw new Error(`Snapshot ${pointer.id} holds ${users} users, its pointer says ${pointer.users}`);
    }
}

/** Publishes a written snapshot: the pointer, then its marker goes. */
export async function publishPointer(store: KeyedRecordStore, pointer: SnapshotPointer): Promise<void> {
    await store.put(POINTER_KEYS, pointer);
    await store.drop([PENDING_KEY, snapshotKey(pointer.id)]);
}

export async function dropSnapshot(store: KeyedRecordStore, id: string): Promise<void> {
    await store.drop([snapshotKey(id)]);
}

/**
 * Removes what writers that died left behind: every snapshot still marked as
 * being written, other than `keep` (the caller holds the lease, so no other
 * write is under way). Returns the ids removed.
 */
export async function dropOrphanedSnapshots(store: KeyedRecordStore, keep: ReadonlyArray<string | undefined>): Promise<string[]> {
    const dropped: string[] = [];
    for (const marker of (await store.find([PENDING_KEY])) as PendingMarker[]) {
        if (!keep.includes(marker.id)) {
            await dropSnapshot(store, marker.id);
            dropped.push(marker.id);
        }
    }
    return dropped;
}
