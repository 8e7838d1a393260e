import type { Change } from './changes';
import { FeedHead, HEAD_KEYS } from './meta';
import type { KeyedRecordStore } from './store';

/** A batch of changes one instance published. */
export interface FeedEntry {
    id: string;
    /** The publishing instance. */
    from: string;
    /** When it was published (the publisher's clock, ms). */
    at: number;
    changes: Change[];
}

const secondKey = (second: number) => `user-directory/feed/s/${second}`;
const minuteKey = (minute: number) => `user-directory/feed/m/${minute}`;

/** Changes arriving within this window leave in one entry. */
const BATCH_MS = 20;
/** How far before its last look a reader reads the feed again: entries are filed under the second they were begun, and land a little later. */
export const FEED_SLACK_MS = 3000;
/** A write that took longer than this may land after a reader has looked past its second: its changes are written again. */
const LATE_WRITE_MS = FEED_SLACK_MS / 2;

/**
 * The change feed every instance of the cluster writes to and reads from,
 * kept in the shared store. An entry is filed under the second and the minute
 * it was published: readers poll the few most recent seconds, a restarted
 * instance catches up by minutes, and pruning drops whole minutes. The head
 * record changes with every entry, so an idle reader learns from one read of
 * the meta records that there is nothing new.
 */
export class ChangeFeed {
    private queue: Change[] = [];
    private flushing?: Promise<void>;
    private sequence = 0;

    constructor(
        private readonly store: KeyedRecordStore,
        readonly instanceId: string,
        private readonly onError: (error: unknown) => void,
        private readonly now: () => number,
        private readonly sleep: (ms: number) => Promise<void>,
    ) {}

    /** Queues a change; it is published with the others of the same moment. */
    publish(change: Change): void {
        this.queue.push(change);
        this.scheduleWrite();
    }

    /** One write at a time; changes queued while one is under way leave with the next. */
    private scheduleWrite(): void {
        if (this.flushing) {
            return;
        }
        this.flushing = this.sleep(BATCH_MS)
            .then(() => this.writeQueued())
            .catch(this.onError)
            .finally(() => {
                this.flushing = undefined;
                if (this.queue.length > 0) this.scheduleWrite();
            });
    }

    /** Waits until every queued change is in the store. */
    async flush(): Promise<void> {
        while (this.flushing) {
            await this.flushing;
        }
    }

    private async writeQueued(): Promise<void> {
        const changes = this.queue;
        this.queue = [];
        if (changes.length === 0) {
            return;
        }
        const at = this.now();
        const entry: FeedEntry = { id: `${this.instanceId}:${++this.sequence}`, from: this.instanceId, at, changes };
        await this.store.add([secondKey(Math.floor(at / 1000)), minuteKey(Math.floor(at / 60_000))], entry);
        const head: FeedHead = { kind: 'head', entry: entry.id };
        await this.store.put(HEAD_KEYS, head);
        if (this.now() - at > LATE_WRITE_MS) {
            // Filed under the second it was begun, it may have landed after a reader looked past that second:
            // the same changes leave again under the moment they land (applying a change twice changes nothing).
            this.queue.unshift(...changes);
        }
    }

    /** Entries published since `fromMs`, by seconds: for polling the last few seconds. */
    async recent(fromMs: number): Promise<FeedEntry[]> {
        const seconds = range(Math.floor(fromMs / 1000), Math.floor(this.now() / 1000));
        return this.readBuckets(seconds.map(secondKey));
    }

    /** Entries published since `fromMs`, by minutes: for catching up after a snapshot. */
    async since(fromMs: number): Promise<FeedEntry[]> {
        const minutes = range(Math.floor(fromMs / 60_000), Math.floor(this.now() / 60_000));
        return (await this.readBuckets(minutes.map(minuteKey))).filter((entry) => entry.at >= fromMs);
    }

    /** Drops the minutes in [fromMinute, beforeMs); returns the last minute dropped. */
    async prune(fromMinute: number, beforeMs: number): Promise<number> {
        const last = Math.floor(beforeMs / 60_000) - 1;
        for (const minute of range(fromMinute, last)) {
            await this.store.drop([minuteKey(minute)]);
        }
        return Math.max(fromMinute - 1, last);
    }

    private async readBuckets(keys: string[]): Promise<FeedEntry[]> {
        const entries: FeedEntry[] = [];
        for (const key of keys) {
            entries.push(...((await this.store.find([key])) as FeedEntry[]));
        }
        return entries.sort((a, b) => a.at - b.at);
    }
}

function range(from: number, to: number): number[] {
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}
