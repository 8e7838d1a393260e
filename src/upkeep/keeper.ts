import { applyChange, Change } from '../cluster/changes';
import { ChangeFeed } from '../cluster/feed';
import type { ClusterMeta } from '../cluster/meta';
import type { KeyedRecordStore } from '../cluster/store';
import type { Directory } from '../core/directory';
import { COMMON_SORTS } from '../core/sortOrder';
import { pacer, runPaced } from './pacer';

/** Slack for clocks and slow writes when reading the feed back in time. */
const FEED_SLACK_MS = 3000;

export interface KeeperOptions {
    store: KeyedRecordStore & { readonly canWrite: boolean };
    instanceId: string;
    onError: (error: unknown) => void;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
}

/**
 * Keeps this instance's directory up to date between crawls: applies the
 * changes this instance learns (and publishes them in the change feed) and
 * those the other instances published. While a new directory is being made
 * (crawled or loaded), the changes meanwhile are kept and replayed on it
 * before it replaces the current one.
 *
 * Changes reach the directory only here: a new kind of event becomes a
 * `Change` given to `record`.
 */
export class DirectoryKeeper {
    /** The directory to answer from, once there is one. */
    current?: Directory;
    /** When the current directory last changed (ms): installed, or a change applied to it. */
    changedAt?: number;
    private readonly feed: ChangeFeed;
    /** Changes kept while a new directory is made, to replay on it. */
    private pending: Change[] = [];
    private keepPending = false;
    /** The feed as this instance last read it. */
    private seenHead?: string;
    private lastPollAt: number;
    private readonly appliedEntries = new Map<string, number>();

    constructor(private readonly options: KeeperOptions) {
        this.feed = new ChangeFeed(options.store, options.instanceId, options.onError, options.now, options.sleep);
        this.lastPollAt = options.now();
    }

    /** A change learned here: applied now, and published for the other instances. */
    record(change: Change): void {
        this.apply(change);
        if (this.options.store.canWrite) {
            this.feed.publish(change);
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
     * Replays the feed from `fromMs` (when a crawl began) on what that crawl
     * found. Only changes published after it began: an older one would undo a
     * newer state the crawl read from the server (instances' clocks are
     * assumed to agree within a few milliseconds, as NTP keeps them).
     */
    async catchUp(directory: Directory, fromMs: number): Promise<void> {
        await this.feed.flush();
        for (const entry of await this.feed.since(fromMs)) {
            this.appliedEntries.set(entry.id, entry.at);
            entry.changes.forEach((change) => applyChange(directory, change));
        }
    }

    /** Makes a directory current: the changes that arrived while it was made are replayed on it first. */
    async install(directory: Directory): Promise<void> {
        this.pending.forEach((change) => applyChange(directory, change));
        this.pending = [];
        // Replayed renames may have left search texts to rebuild: in steps, not holding the loop.
        await runPaced(directory.preparation(COMMON_SORTS), pacer());
        this.pending.forEach((change) => applyChange(directory, change));
        this.pending = [];
        this.current = directory;
        this.changedAt = this.options.now();
    }

    /** Drops the feed's minutes in [fromMinute, beforeMs); returns the last minute dropped. */
    pruneFeed(fromMinute: number, beforeMs: number): Promise<number> {
        return this.feed.prune(fromMinute, beforeMs);
    }

    private apply(change: Change): void {
        if (this.current) {
            applyChange(this.current, change);
            this.changedAt = this.options.now();
        }
        if (this.keepPending) {
            this.pending.push(change);
        }
    }
}
