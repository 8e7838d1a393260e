import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { leaseIsFree } from './cluster/lease';
import { ClusterMeta, readMeta, SnapshotPointer } from './cluster/meta';
import type { KeyedRecordStore } from './cluster/store';
import type { Directory } from './core/directory';
import { toUserRecord, UserRecord } from './core/record';
import { DirectoryKeeper } from './upkeep/keeper';
import { BuildReport, crawlAndPublish, loadSnapshot, RebuildContext } from './upkeep/rebuild';

/** The directory is still being built or loaded; the caller should come back shortly. */
export class DirectoryUnavailable extends Error {
    constructor(readonly retryAfterSeconds: number) {
        super('The user directory is not available yet');
    }
}

/** How often an instance looks for the others' changes: one store read when nothing changed. */
const POLL_MS = 750;
/** How long a request may wait for the first directory before it is told to come back. */
const FIRST_DIRECTORY_BUDGET_MS = 2500;
const RETRY_AFTER_SECONDS = 5;
/** When Rocket.Chat has applied what an update event announced (users.update applies `active` after the event). */
const CONFIRM_AFTER_MS = 150;

export interface DirectoryServiceOptions {
    reader: () => IRead;
    store: KeyedRecordStore & { readonly canWrite: boolean };
    maxAgeMs: () => number;
    onError: (error: unknown) => void;
    instanceId?: string;
    now?: () => number;
    /** Waits (timers in production; tests pass a clock of their own). */
    sleep?: (ms: number) => Promise<void>;
    /** How long a request may wait for the first directory (FIRST_DIRECTORY_BUDGET_MS). */
    firstDirectoryBudgetMs?: number;
}

/**
 * Keeps the app's directory of users, one per instance, the same on every
 * instance of a cluster.
 *
 * The engine cannot list users, so one instance at a time (the holder of a
 * lease in the shared store) crawls the rooms' members and publishes the
 * result as a snapshot (upkeep/rebuild.ts, upkeep/crawl.ts); the others, and
 * any instance that starts later, load that snapshot instead of crawling.
 * Every change an instance learns (user events, users met in requests) goes
 * into a change feed in the shared store, which every instance polls and
 * applies (upkeep/keeper.ts); a snapshot is always completed by replaying the
 * feed from the moment its crawl began.
 *
 * This class schedules that work and turns what the app learns into changes.
 */
export class DirectoryService {
    readonly instanceId: string;
    private readonly keeper: DirectoryKeeper;
    private readonly now: () => number;
    private readonly sleep: (ms: number) => Promise<void>;
    private snapshot?: SnapshotPointer;
    /** A crawl or a snapshot load in progress; the keeper keeps the changes meanwhile and replays them on its result. */
    private work?: { kind: 'build' | 'load'; done: Promise<void> };
    private report?: BuildReport;
    private readonly firstDirectory: Promise<void>;
    private resolveFirstDirectory!: () => void;
    private timer?: ReturnType<typeof setInterval>;
    private ticking?: Promise<void>;

    constructor(private readonly options: DirectoryServiceOptions) {
        this.now = options.now ?? Date.now;
        this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
        this.instanceId = options.instanceId ?? `${this.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        this.keeper = new DirectoryKeeper({ store: options.store, instanceId: this.instanceId, onError: options.onError, now: this.now, sleep: this.sleep });
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
        if (this.keeper.current) {
            return this.keeper.current;
        }
        void this.tick();
        await Promise.race([this.firstDirectory, this.sleep(this.options.firstDirectoryBudgetMs ?? FIRST_DIRECTORY_BUDGET_MS)]);
        if (!this.keeper.current) {
            throw new DirectoryUnavailable(RETRY_AFTER_SECONDS);
        }
        return this.keeper.current;
    }

    /** Looks at the shared store: applies the others' changes, loads a newer snapshot, or crawls when nobody has. */
    tick(): Promise<void> {
        this.ticking ??= (async () => {
            try {
                const meta = await readMeta(this.options.store);
                await this.keeper.follow(meta);
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

    /** When the directory last changed (ms), or undefined before the first. */
    lastChangedAt(): number | undefined {
        return this.keeper.changedAt;
    }

    info(): Record<string, unknown> {
        const snapshot = this.snapshot;
        return {
            ready: !!this.keeper.current,
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
        this.keeper.record({ op: 'upsert', record: toUserRecord(user) });
    }

    /** Adds a user met in a request when the directory lacks it (users in no room come in this way). */
    meet(user: IUser): void {
        if (this.keeper.current && !this.keeper.current.has(user.id)) {
            this.upsert(user);
        }
    }

    /**
     * Reads the user again once Rocket.Chat has applied the change an event
     * announced: `users.update` fires its event before it applies `active`.
     */
    confirmLater(userId: string): void {
        this.sleep(CONFIRM_AFTER_MS)
            .then(() => this.options.reader().getUserReader().getById(userId))
            .then((user) => {
                const record = user && toUserRecord(user);
                if (record && !sameRecord(record, this.keeper.current?.get(userId))) {
                    this.keeper.record({ op: 'upsert', record });
                }
            })
            .catch(this.options.onError);
    }

    /**
     * A presence change. Its event carries only part of the user (Rocket.Chat
     * sends what its presence broadcast holds), so a known user keeps the rest
     * of its record; an unknown one is read in full.
     */
    async setPresence(user: IUser, status: string): Promise<void> {
        if (this.keeper.current?.has(user.id)) {
            const fields: Partial<UserRecord> = { status };
            if (typeof user.statusText === 'string') fields.statusText = user.statusText;
            if (Array.isArray(user.roles)) fields.roles = user.roles;
            this.keeper.record({ op: 'patch', id: user.id, fields });
            return;
        }
        const full = await this.options.reader().getUserReader().getById(user.id);
        if (full) {
            this.upsert({ ...full, status });
        }
    }

    remove(userId: string): void {
        this.keeper.record({ op: 'remove', id: userId });
    }

    private loadOrBuildIfNeeded(meta: ClusterMeta, periodic: boolean): void {
        if (this.work) {
            return;
        }
        const now = this.now();
        const snapshot = meta.snapshot;
        if (snapshot && snapshot.id !== this.snapshot?.id && (!this.snapshot || snapshot.builtAt > this.snapshot.builtAt)) {
            this.startWork('load', async () => {
                await loadSnapshot(this.rebuildContext(), snapshot);
                this.snapshot = snapshot;
            });
            return;
        }
        // The scheduler's job rebuilds once the age is reached; any instance steps in if it has not for twice as long.
        const age = snapshot ? now - snapshot.crawlStartedAt : Infinity;
        const due = age >= (periodic ? this.options.maxAgeMs() / 2 : 2 * this.options.maxAgeMs());
        if (due && this.options.store.canWrite && leaseIsFree(meta.lease, this.instanceId, now)) {
            this.startWork('build', () =>
                crawlAndPublish(this.rebuildContext(), meta.snapshot, {
                    installed: (report) => (this.report = report),
                    published: (pointer) => (this.snapshot = pointer),
                }),
            );
        }
    }

    private startWork(kind: 'build' | 'load', run: () => Promise<void>): void {
        this.keeper.keepChanges();
        const done = run()
            .catch(this.options.onError)
            .finally(() => {
                this.work = undefined;
                this.keeper.stopKeeping();
            });
        this.work = { kind, done };
    }

    private rebuildContext(): RebuildContext {
        return {
            store: this.options.store,
            instanceId: this.instanceId,
            reader: this.options.reader,
            keeper: this.keeper,
            install: async (directory) => {
                await this.keeper.install(directory);
                this.resolveFirstDirectory();
            },
            maxAgeMs: this.options.maxAgeMs,
            onError: this.options.onError,
            now: this.now,
            sleep: this.sleep,
        };
    }
}

function sameRecord(a: UserRecord, b: UserRecord | undefined): boolean {
    return !!b && JSON.stringify(a) === JSON.stringify(b);
}
