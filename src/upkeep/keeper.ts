import { applyChange, Change, changedUserId } from '../cluster/changes';
import { ChangeFeed, FEED_SLACK_MS } from '../cluster/feed';
import type { ClusterMeta } from '../cluster/meta';
import type { KeyedRecordStore } from '../cluster/store';
import type { Directory } from '../core/directory';
import { COMMON_SORTS } from '../core/sortOrder';
import { ChangeOrder } from './ordering';
import { pacer, runPaced } from './pacer';

export interface KeeperOptions {
    store: KeyedRecordStore & { readonly canWrite: boolean };
    instanceId: string;
    onError: (error: unknown) => void;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
}

/**
 * Keeps this instance's directory up to date: applies the changes this
 * instance learns (and publishes them in the change feed) and those the
 * other instances published, each in the order of when it was true
 * (ordering.ts). While a new directory is being made (crawled or loaded), the
 * changes meanwhile are kept and replayed on it before it replaces the
 * current one.
 *
 * Changes reach the directory only here: a new kind of event becomes a
 * `Change` given to `record`.
 */
export class DirectoryKeeper {
    /** The directory to answer from, once there is one. */
    current?: Directory;
    /** Changes applied since the directory's base snapshot: how much a restarted instance would replay. */
    changesSinceBase = 0;
    /** When the current directory last changed (ms): installed, or a change applied to it. */
    changedAt?: number;
    private readonly feed: ChangeFeed;
    private readonly order: ChangeOrder;
    /** Changes kept while a new directory is made, to replay on it. */
    private pending: Change[] = [];
    private keepPending = false;
    /** Changes applied here but not yet published (learned in a request that must not write). */
    private unpublished: Change[] = [];
    /** The feed as this instance last read it. */
    private seenHead?: string;
    private lastPollAt: number;
    private readonly appliedEntries = new Map<string, number>();

    constructor(private readonly options: KeeperOptions) {
        this.feed = new ChangeFeed(options.store, options.instanceId, options.onError, options.now, options.sleep);
        this.order = new ChangeOrder(options.now);
        this.lastPollAt = options.now();
    }

    /** A change learned here: applied now, and published for the other instances unless it is older than what is known. */
    record(change: Change): void {
        if (this.apply(change) && this.options.store.canWrite) {
            this.feed.publish(change);
        }
    }

    /** A change applied here only, published with the next handler that may write (`publishUnpublished`). */
    recordLocally(change: Change): void {
        if (this.apply(change)) {
            this.unpublished.push(change);
        }
    }

    publishUnpublished(): void {
        if (this.options.store.canWrite) {
            this.unpublished.forEach((change) => this.feed.publish(change));
            this.unpublished = [];
        }
    }

    /** Applies the entries other instances published since the last look. */
    async follow(meta: ClusterMeta): Promise<void> {
        const startedAt = this.options.now();
        if (meta.head && meta.head.entry !== this.seenHead) {
            for (const entry of await this.feed.recent(this.lastPollAt - FEED_SLACK_MS)) {
                if (entry.from !== this.options.instanceId && !this.appliedEntries.has(entry.id)) {
                    this.appliedEntries.set(entry.id, entry.at);
                    entry.changes.forEach((change) => this.apply(change));
                }
            }
            this.seenHead = meta.head.entry;
            for (const [id, at] of this.appliedEntries) {
                if (at < startedAt - 10 * FEED_SLACK_MS) this.appliedEntries.delete(id);
            }
            this.order.prune();
        }
        this.lastPollAt = startedAt;
    }

    /** From now until `stopKeeping`, changes are kept to replay on the directory being made. */
    keepChanges(): void {
        this.pending = [];
        this.keepPending = true;
    }

    stopKeeping(): void {
        this.pending = [];
        this.keepPending = false;
    }

    /**
     * Replays the feed from `fromMs` (when a crawl began, or a base was taken)
     * on that directory. Only changes published after it: an older one could
     * undo a newer state the crawl read from the server (instances' clocks are
     * assumed to agree within a few milliseconds, as NTP keeps them).
     */
    async catchUp(directory: Directory, fromMs: number): Promise<void> {
        await this.feed.flush();
        let replayed = 0;
        for (const entry of await this.feed.since(fromMs)) {
            this.appliedEntries.set(entry.id, entry.at);
            entry.changes.forEach((change) => this.applyTo(directory, change));
            replayed += entry.changes.length;
        }
        this.changesSinceBase = replayed;
    }

    /** Makes a directory current: the changes that arrived while it was made are replayed on it first. */
    async install(directory: Directory): Promise<void> {
        this.pending.forEach((change) => this.applyTo(directory, change));
        this.pending = [];
        // Replayed renames may have left search texts to rebuild: in steps, not holding the loop.
        await runPaced(directory.preparation(COMMON_SORTS), pacer());
        this.pending.forEach((change) => this.applyTo(directory, change));
        this.pending = [];
        this.current = directory;
        this.changedAt = this.options.now();
    }

    /** Waits until every change published here is in the store. */
    flush(): Promise<void> {
        return this.feed.flush();
    }

    /** Drops the feed's minutes in [fromMinute, beforeMs); returns the last minute dropped. */
    pruneFeed(fromMinute: number, beforeMs: number): Promise<number> {
        return this.feed.prune(fromMinute, beforeMs);
    }

    /** Applies a change to the current directory (and keeps it for the one being made); false when it is older than what is known. */
    private apply(change: Change): boolean {
        this.changesSinceBase++;
        if (this.keepPending) {
            this.pending.push(change);
        }
        if (!this.current) return true;
        const applied = this.applyTo(this.current, change);
        if (applied) this.changedAt = this.options.now();
        return applied;
    }

    private applyTo(directory: Directory, change: Change): boolean {
        const admitted = this.order.admit(directory.get(changedUserId(change)), change);
        if (admitted) applyChange(directory, admitted);
        return !!admitted;
    }
}
