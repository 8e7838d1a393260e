/**
 * `--data DIR`: the cluster store's users, rooms and app persistence kept on
 * disk across restarts, as MongoDB keeps them for Rocket.Chat. One file,
 * `DIR/store.json`, written whole: at a clean stop, and every `everyMs`
 * (default 30 s) while something changed, in slices that leave the host's
 * loop to the instances meanwhile. It is written to a temporary file
 * and renamed over the old one, so a crash leaves the previous complete file,
 * never a torn one; what changed after the last write is lost in a crash.
 *
 * Not kept: messages, uploads, views, app settings and scheduler jobs (the
 * app is installed afresh at every start, over the kept persistence).
 */
import { once } from 'events';
import * as fs from 'fs';
import * as path from 'path';

import type { ClusterStore, PersistenceCollection } from './store';
import { parseWorkspace, Workspace } from './workspace';

const FILE = 'store.json';
const FORMAT = 1;

interface SavedStore {
    format: number;
    savedAt: string;
    users: unknown[];
    rooms: unknown[];
    persistence: ReturnType<PersistenceCollection['dump']>;
}

/** What a data directory holds, or undefined when it holds nothing yet. Throws, naming the file, when it is unreadable. */
export function loadDataDir(dir: string): { workspace: Workspace; persistence: SavedStore['persistence']; savedAt: string } | undefined {
    const file = path.join(dir, FILE);
    if (!fs.existsSync(file)) return undefined;
    let saved: SavedStore;
    try {
        saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedStore;
    } catch (e) {
        throw new Error(`${file} is not a saved store: ${(e as Error).message}`, { cause: e });
    }
    if (saved?.format !== FORMAT || !Array.isArray(saved.persistence)) throw new Error(`${file} is not a saved store of format ${FORMAT}`);
    try {
        return { workspace: parseWorkspace({ users: saved.users, rooms: saved.rooms }), persistence: saved.persistence, savedAt: saved.savedAt };
    } catch (e) {
        throw new Error(`${file} holds a malformed workspace: ${(e as Error).message}`, { cause: e });
    }
}

/** Writes the store to its data directory on a timer while it changes, and on demand (a clean stop). */
export class DataDirWriter {
    private savedChanges = -1;

    private timer?: NodeJS.Timeout;

    private writing: Promise<void> = Promise.resolve();

    constructor(
        private readonly dir: string,
        private readonly store: ClusterStore,
        private readonly log: (line: string) => void,
        private readonly everyMs = 30_000,
    ) {
        fs.mkdirSync(dir, { recursive: true });
    }

    /** Starts the timer; the store as loaded counts as saved. */
    start(): void {
        this.savedChanges = this.store.changes();
        this.timer = setInterval(() => void this.save(), this.everyMs);
        this.timer.unref();
    }

    /** Writes the store if it changed since the last write (one write at a time). */
    save(): Promise<void> {
        this.writing = this.writing.then(() => this.write()).catch((e: unknown) => this.log(`could not save to ${this.dir}: ${(e as Error)?.message ?? e}`));
        return this.writing;
    }

    /** Stops the timer and writes what changed. */
    async stop(): Promise<void> {
        clearInterval(this.timer);
        await this.save();
    }

    /**
     * Writes the file in slices, letting the host's other work through
     * between them: MongoDB keeps its documents without holding Rocket.Chat's
     * loop, and a whole 100,000-user store stringified at once held every
     * instance's bridge calls for about two seconds. Each document is written
     * as it is when its slice is; a document removed meanwhile is still in
     * this file (the next write drops it).
     */
    private async write(): Promise<void> {
        const changes = this.store.changes();
        if (changes === this.savedChanges) return;
        const started = Date.now();
        const state = this.store.workspace;
        const users = [...state.users.values()];
        const rooms = [...state.rooms.values()];
        const persistence = this.store.persistence.dump();
        const file = path.join(this.dir, FILE);
        const temporary = `${file}.${process.pid}.tmp`;
        const out = fs.createWriteStream(temporary);
        try {
            await put(out, `{"format":${FORMAT},"savedAt":${JSON.stringify(new Date().toISOString())},"users":`);
            await putArray(out, users);
            await put(out, ',"rooms":');
            await putArray(out, rooms);
            await put(out, ',"persistence":');
            await putArray(out, persistence);
            await put(out, '}');
            await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
        } catch (e) {
            out.destroy();
            throw e;
        }
        await fs.promises.rename(temporary, file);
        this.savedChanges = changes;
        this.log(`saved ${users.length} users, ${rooms.length} rooms, ${persistence.length} app records to ${file} in ${Date.now() - started} ms`);
    }
}

/** About this much JSON is stringified between two turns of the loop. */
const SLICE_CHARS = 1 << 20;

/** Writes text, then yields: to the disk when the stream is full, else to the rest of the loop. */
async function put(out: fs.WriteStream, text: string): Promise<void> {
    if (!out.write(text)) await once(out, 'drain');
    else await new Promise((resolve) => setImmediate(resolve));
}

/** A JSON array, one slice of its items at a time. */
async function putArray(out: fs.WriteStream, items: readonly unknown[]): Promise<void> {
    let text = '[';
    for (let i = 0; i < items.length; i++) {
        text += (i ? ',' : '') + JSON.stringify(items[i]);
        if (text.length >= SLICE_CHARS) {
            await put(out, text);
            text = '';
        }
    }
    await put(out, `${text}]`);
}
