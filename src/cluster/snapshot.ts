import type { UserRecord } from '../core/record';
import { POINTER_KEYS, SnapshotPointer } from './meta';
import type { KeyedRecordStore } from './store';

const snapshotKey = (id: string) => `user-directory/snapshot/${id}`;
const chunkKey = (id: string, index: number) => `user-directory/snapshot/${id}/${index}`;

/** Users per stored chunk: about 2–3 MB of JSON, far below MongoDB's 16 MB document limit. */
export const CHUNK_USERS = 5000;

interface Chunk {
    index: number;
    users: UserRecord[];
}

/** Writes the users as chunks of a new snapshot; the pointer is written last, once they are all in. */
export async function writeSnapshot(store: KeyedRecordStore, id: string, users: Iterable<UserRecord>): Promise<{ chunks: number; users: number }> {
    let chunk: UserRecord[] = [];
    let chunks = 0;
    let count = 0;
    const writeChunk = async () => {
        const data: Chunk = { index: chunks, users: chunk };
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
    return { chunks, users: count };
}

/** Reads a snapshot's users one chunk at a time (one store read each). */
export async function readSnapshot(store: KeyedRecordStore, pointer: SnapshotPointer, onChunk: (users: UserRecord[]) => Promise<void>): Promise<void> {
    for (let index = 0; index < pointer.chunks; index++) {
        const [chunk] = (await store.find([chunkKey(pointer.id, index)])) as Chunk[];
        if (!chunk) {
            throw new Error(`Snapshot ${pointer.id} lacks chunk ${index} (replaced while it was read)`);
        }
        await onChunk(chunk.users);
    }
}

export async function publishPointer(store: KeyedRecordStore, pointer: SnapshotPointer): Promise<void> {
    await store.put(POINTER_KEYS, pointer);
}

export async function dropSnapshot(store: KeyedRecordStore, id: string): Promise<void> {
    await store.drop([snapshotKey(id)]);
}
