import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { applyChange, Change } from './cluster/changes';
import { ChangeFeed } from './cluster/feed';
import { claimLease, LEASE_TTL_MS, leaseIsFree, releaseLease, renewLease } from './cluster/lease';
import { ClusterMeta, readMeta } from './cluster/meta';
import { dropSnapshot, publishPointer, readSnapshot, SnapshotPointer, writeSnapshot } from './cluster/snapshot';
import type { SharedStore } from './cluster/store';
import { Directory } from './core/directory';
import { toUserRecord, UserRecord } from './core/record';
import { COMMON_SORTS } from './core/sortOrder';
import { crawlDirectory } from './upkeep/crawl';
import { inBackground, pacer, runPaced } from './upkeep/pacer';

/** What directory.info reports about the last crawl this instance made. */
export interface BuildReport {
    builtAt: string;
    durationMs: number;
    bridgeCalls: number;
    rooms: number;
}

/** The directory is still being built or loaded; the caller should come back shortly. */
export class DirectoryUnavailable extends Error {
    constructor(readonly retryAfterSeconds: number) {
        super('The user directory is not available yet');
    }
}

/** How often an instance looks for the others' changes: one store read when nothing changed. */
export const POLL_MS = 750;
/** How long a request may wait for the first directory before it is told to come back. */
const FIRST_DIRECTORY_BUDGET_MS = 2500;
const RETRY_AFTER_SECONDS = 5;
/** Slack for clocks and slow writes when reading the feed back in time. */
const FEED_SLACK_MS = 3000;
/** When Rocket.Chat has applied what an update event announced (users.update applies `active` after the event). */
const CONFIRM_AFTER_MS = 150;

export interface DirectoryServiceOptions {
    reader: () => IRead;
    store: SharedStore & { readonly canWrite: boolean };
    maxAgeMs: () => number;
    onError: (error: unknown) => void;
    instanceId?: string;
    now?: () => number;
    /** How long a request may wait for the first directory (FIRST_DIRECTORY_BUDGET_MS). */
    firstDirectoryBudgetMs?: number;
}

/**
 * Keeps the app's directory of users, one per instance, the same on every
 * instance of a cluster.
 *
 * The engine cannot list users, so one instance at a time (the holder of a
 * lease in the shared store) crawls the rooms' members and publishes the
 * result as a snapshot; the others, and any instance that starts later, load
 * that snapshot instead of crawling. Every change an instance learns (user
 * events, users met in requests) goes into a change feed in the shared store,
 * which every instance polls and applies; a snapshot is always completed by
 * replaying the feed from the moment its crawl began.
 */
export class DirectoryService {
    readonly instanceId: string;
    private readonly feed: ChangeFeed;
    private readonly now: () => number;
    private current?: Directory;
    private snapshot?: SnapshotPointer;
    /** A crawl or a snapshot load in progress; changes meanwhile are kept in `pending` and replayed on its result. */
    private work?: { kind: 'build' | 'load'; done: Promise<void> };
    private pending: Change[] = [];
    private report?: BuildReport;
    private readonly firstDirectory: Promise<void>;
    private resolveFirstDirectory!: () => void;
    private timer?: ReturnType<typeof setInterval>;
    private ticking?: Promise<void>;
    /** The feed as this instance last read it. */
    private seenHead?: string;
    private lastPollAt: number;
    private readonly appliedEntries = new Map<string, number>();

    constructor(private readonly options: DirectoryServiceOptions) {
        this.now = options.now ?? Date.now;
        this.instanceId = options.instanceId ?? `${this.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        this.feed = new ChangeFeed(options.store, this.instanceId, options.onError, this.now);
        this.lastPollAt = this.now();
        this.firstDirectory = new Promise((resolve) => {
            this.resolveFirstDirectory = resolve;
        });
    }

    /** Starts following the cluster: one look now, then one every POLL_MS. */
    start(): void {
        this.stop();
        this.timer = setInterval(() => void this.tick(), POLL_MS);
        void this.tick();
    }

    stop(): void {
        if (this.timer) {
            clearInterval(this.timer);
            this.timer = undefined;
        }
    }

    /** The directory to answer from; while there is none yet, waits a little, then gives up with DirectoryUnavailable. */
    async get(): Promise<Directory> {
        if (this.current) {
            return this.current;
        }
        void this.tick();
        let timeout: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
            this.firstDirectory,
            new Promise((resolve) => (timeout = setTimeout(resolve, this.options.firstDirectoryBudgetMs ?? FIRST_DIRECTORY_BUDGET_MS))),
        ]);
        clearTimeout(timeout);
        if (!this.current) {
            throw new DirectoryUnavailable(RETRY_AFTER_SECONDS);
        }
        return this.current;
    }

    /** Looks at the shared store: applies the others' changes, loads a newer snapshot, or crawls when nobody has. */
    tick(): Promise<void> {
        this.ticking ??= (async () => {
            try {
                const meta = await readMeta(this.options.store);
                await this.follow(meta);
                this.loadOrBuildIfNeeded(meta, false);
            } catch (error) {
                this.options.onError(error);
            } finally {
                this.ticking = undefined;
            }
        })();
        return this.ticking;
    }

    /** The periodic rebuild (a scheduler job, which runs on one instance of the cluster). */
    async rebuildIfDue(): Promise<void> {
        const meta = await readMeta(this.options.store);
        this.loadOrBuildIfNeeded(meta, true);
    }

    /** Resolves when no crawl or load runs. */
    async settled(): Promise<void> {
        while (this.work) {
            await this.work.done;
        }
    }

    info(): Record<string, unknown> {
        const snapshot = this.snapshot;
        return {
            ready: !!this.current,
            building: this.work?.kind === 'build',
            loading: this.work?.kind === 'load',
            instance: this.instanceId,
            ageMs: snapshot ? this.now() - snapshot.crawlStartedAt : null,
            snapshot: snapshot
                ? {
                      id: snapshot.id,
                      builder: snapshot.builder,
                      builtAt: new Date(snapshot.builtAt).toISOString(),
                      users: snapshot.users,
                      chunks: snapshot.chunks,
                  }
                : null,
            lastBuild: this.report ?? null,
        };
    }

    /** A user the app learned of from an event or a request. */
    upsert(user: IUser): void {
        this.record({ op: 'upsert', record: toUserRecord(user) });
    }

    /** Adds a user met in a request when the directory lacks it (users in no room come in this way). */
    meet(user: IUser): void {
        if (this.current && !this.current.has(user.id)) {
            this.upsert(user);
        }
    }

    /**
     * Reads the user again once Rocket.Chat has applied the change an event
     * announced: `users.update` fires its event before it applies `active`.
     */
    confirmLater(userId: string): void {
        setTimeout(() => {
            this.options
                .reader()
                .getUserReader()
                .getById(userId)
                .then((user) => {
                    const record = user && toUserRecord(user);
                    if (record && !sameRecord(record, this.current?.get(userId))) {
                        this.record({ op: 'upsert', record });
                    }
                })
                .catch(this.options.onError);
        }, CONFIRM_AFTER_MS);
    }

    /**
     * A presence change. Its event carries only part of the user (Rocket.Chat
     * sends what its presence broadcast holds), so a known user keeps the rest
     * of its record; an unknown one is read in full.
     */
    async setPresence(user: IUser, status: string): Promise<void> {
        if (this.current?.has(user.id)) {
            const fields: Partial<UserRecord> = { status };
            if (typeof user.statusText === 'string') fields.statusText = user.statusText;
            if (Array.isArray(user.roles)) fields.roles = user.roles;
            this.record({ op: 'patch', id: user.id, fields });
            return;
        }
        const full = await this.options.reader().getUserReader().getById(user.id);
        if (full) {
            this.upsert({ ...full, status });
        }
    }

    remove(userId: string): void {
        this.record({ op: 'remove', id: userId });
    }

    /** A change learned here: applied now, and published for the other instances. */
    private record(change: Change): void {
        this.apply(change);
        if (this.options.store.canWrite) {
            this.feed.publish(change);
        }
    }

    private apply(change: Change): void {
        if (this.current) {
            applyChange(this.current, change);
        }
        if (this.work) {
            this.pending.push(change);
        }
    }

    /** Applies the entries other instances published since the last look. */
    private async follow(meta: ClusterMeta): Promise<void> {
        const startedAt = this.now();
        if (meta.head && meta.head.entry !== this.seenHead) {
            for (const entry of await this.feed.recent(this.lastPollAt - FEED_SLACK_MS)) {
                if (entry.from !== this.instanceId && !this.appliedEntries.has(entry.id)) {
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

    private loadOrBuildIfNeeded(meta: ClusterMeta, periodic: boolean): void {
        if (this.work) {
            return;
        }
        const now = this.now();
        const snapshot = meta.snapshot;
        if (snapshot && snapshot.id !== this.snapshot?.id && (!this.snapshot || snapshot.builtAt > this.snapshot.builtAt)) {
            this.startWork('load', () => this.load(snapshot));
            return;
        }
        // The scheduler's job rebuilds once the age is reached; any instance steps in if it has not for twice as long.
        const age = snapshot ? now - snapshot.crawlStartedAt : Infinity;
        const due = age >= (periodic ? this.options.maxAgeMs() / 2 : 2 * this.options.maxAgeMs());
        if (due && this.options.store.canWrite && leaseIsFree(meta.lease, this.instanceId, now)) {
            this.startWork('build', () => this.build(meta.snapshot));
        }
    }

    private startWork(kind: 'build' | 'load', run: () => Promise<void>): void {
        this.pending = [];
        const done = run()
            .catch(this.options.onError)
            .finally(() => {
                this.work = undefined;
                this.pending = [];
            });
        this.work = { kind, done };
    }

    /** Makes a directory current: the changes that arrived while it was made are replayed on it first. */
    private async install(directory: Directory): Promise<void> {
        this.pending.forEach((change) => applyChange(directory, change));
        this.pending = [];
        // Replayed renames may have left search texts to rebuild: in steps, not holding the loop.
        await runPaced(directory.preparation(COMMON_SORTS), pacer());
        this.pending.forEach((change) => applyChange(directory, change));
        this.pending = [];
        this.current = directory;
        this.resolveFirstDirectory();
    }

    /**
     * Replays the feed from `fromMs` (when a crawl began) on what that crawl
     * found. Only changes published after it began: an older one would undo a
     * newer state the crawl read from the server (instances' clocks are
     * assumed to agree within a few milliseconds, as NTP keeps them).
     */
    private async catchUp(directory: Directory, fromMs: number): Promise<void> {
        await this.feed.flush();
        for (const entry of await this.feed.since(fromMs)) {
            this.appliedEntries.set(entry.id, entry.at);
            entry.changes.forEach((change) => applyChange(directory, change));
        }
    }

    private async load(pointer: SnapshotPointer): Promise<void> {
        const directory = new Directory([], { runInSteps: inBackground });
        const pace = pacer();
        await readSnapshot(this.options.store, pointer, async (chunk) => {
            for (const user of chunk) {
                directory.upsert(user);
                if (pace.due()) await pace.pause();
            }
        });
        await this.catchUp(directory, pointer.crawlStartedAt);
        await this.install(directory);
        this.snapshot = pointer;
    }

    private async build(previous: SnapshotPointer | undefined): Promise<void> {
        const store = this.options.store;
        const me = this.instanceId;
        if (!(await claimLease(store, (await readMeta(store)).lease, me, this.now, sleep))) {
            return;
        }
        const renewal = setInterval(() => renewLease(store, me, this.now()).catch(this.options.onError), LEASE_TTL_MS / 3);
        try {
            // Users no room shows are carried over from the current directory: bring it up to date first.
            await this.follow(await readMeta(store));
            this.pending = [];
            const started = this.now();
            // The app user may be in no room; later builds carry it over like any other user.
            const { directory, report } = await crawlDirectory(this.options.reader(), this.current, { includeAppUser: !this.current });
            await this.catchUp(directory, started);
            await this.install(directory);
            this.report = { builtAt: new Date(this.now()).toISOString(), durationMs: this.now() - started, ...report };

            const id = `${me}-${started.toString(36)}`;
            // Records are built a chunk at a time, from the ids as they are now.
            const ids = [...directory.ids()];
            const records = (function* () {
                for (const userId of ids) {
                    const record = directory.get(userId);
                    if (record) yield record;
                }
            })();
            const written = await writeSnapshot(store, id, records);
            const retainFeedFrom = Math.min(started - 60_000, this.now() - 2 * this.options.maxAgeMs() - 5 * 60_000);
            const prunedThroughMinute = await this.feed.prune(
                previous ? previous.prunedThroughMinute + 1 : Math.floor(retainFeedFrom / 60_000),
                retainFeedFrom,
            );
            const pointer: SnapshotPointer = {
                kind: 'snapshot',
                id,
                previous: previous?.id,
                builder: me,
                crawlStartedAt: started,
                builtAt: this.now(),
                ...written,
                prunedThroughMinute,
            };
            await publishPointer(store, pointer);
            this.snapshot = pointer;
            if (previous?.previous) {
                await dropSnapshot(store, previous.previous);
            }
        } finally {
            clearInterval(renewal);
            await releaseLease(store, me);
        }
    }
}

function sameRecord(a: UserRecord, b: UserRecord | undefined): boolean {
    return !!b && JSON.stringify(a) === JSON.stringify(b);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
