import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Change } from './cluster/changes';
import { leaseIsFree } from './cluster/lease';
import { ClusterMeta, readMeta, readUpkeepReports, SnapshotPointer, UpkeepReports } from './cluster/meta';
import { PollWatch } from './cluster/pollWatch';
import type { KeyedRecordStore } from './cluster/store';
import type { Directory } from './core/directory';
import { toUserRecord, UserRecord } from './core/record';
import { ONE_MESSAGE_MEMBERS, readWholeUpTo } from './upkeep/crawl';
import { DirectoryKeeper } from './upkeep/keeper';
import { sameUser } from './upkeep/pass';
import { BuildReport, firstBuild, loadSnapshot, passAndCompact, RebuildContext, rereadAll, upkeepStateOf } from './upkeep/rebuild';

/** The directory is still being built or loaded; the caller should come back shortly. */
export class DirectoryUnavailable extends Error {
    constructor(readonly retryAfterSeconds: number) {
        super('The user directory is not available yet');
    }
}

/**
 * How often an instance looks for the others' changes: one store read when
 * nothing changed. With the 150 ms before an update is read back, a change
 * shows on every instance within about 0.8 s.
 */
const POLL_MS = 500;
/** How long a request may wait for the first directory before it is told to come back. */
const FIRST_DIRECTORY_BUDGET_MS = 2500;
const RETRY_AFTER_SECONDS = 5;
/** When Rocket.Chat has applied what an update event announced (users.update applies `active` after the event). */
const CONFIRM_AFTER_MS = 150;
export const DEFAULT_FULL_REREAD_MS = 24 * 3600_000;
export const DEFAULT_MAX_ROOM_MEMBERS = 10_000;

export interface DirectoryServiceOptions {
    reader: () => IRead;
    store: KeyedRecordStore & { readonly canWrite: boolean };
    /** The period of the cheap pass (the scheduler job's interval). */
    maxAgeMs: () => number;
    /** How often everything is read again (the safety net). */
    fullRereadMs?: () => number;
    /** Rooms with more members than this are not read whole after their first read. */
    maxRoomMembers?: () => number;
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
 * lease in the shared store) crawls the rooms' members once and publishes the
 * result as a base snapshot (upkeep/rebuild.ts, upkeep/crawl.ts); the others,
 * and any instance that starts later, load it instead of crawling. Every
 * change an instance learns (events, users met in requests, what the periodic
 * pass and the daily safety net read: upkeep/pass.ts) goes into a change feed
 * in the shared store, which every instance polls and applies in the order of
 * when it was true (upkeep/keeper.ts, upkeep/ordering.ts); a base is always
 * completed by replaying the feed from the moment it was taken, and a new one
 * is written only once the feed has grown enough (docs/freshness.md).
 *
 * This class schedules that work and turns what the app learns into changes.
 */
export class DirectoryService {
    readonly instanceId: string;
    private readonly keeper: DirectoryKeeper;
    private readonly now: () => number;
    private readonly sleep: (ms: number) => Promise<void>;
    private snapshot?: SnapshotPointer;
    /** How this instance came by its snapshot: written here, loaded, or taken without loading (the feed had brought it). */
    private snapshotTaken?: 'written' | 'loaded' | 'adopted';
    /** A snapshot whose load failed (a chunk missing): not tried again; without a directory, a new first build replaces it. */
    private brokenSnapshot?: string;
    /** A crawl, pass or snapshot load in progress; for a crawl or load the keeper keeps the changes meanwhile and replays them on its result. */
    private work?: { kind: 'build' | 'load' | 'pass' | 'reread'; done: Promise<void> };
    private meta: ClusterMeta = {};
    /** What the last pass and full read did, as of the upkeep state they were read for. */
    private reports?: { for: string; read: UpkeepReports | undefined };
    private report?: BuildReport;
    private readonly firstDirectory: Promise<void>;
    private resolveFirstDirectory!: () => void;
    private timer?: ReturnType<typeof setInterval>;
    private ticking?: Promise<void>;
    /** The slowest looks at the store: how stale this instance can be (a look that starts late was held by other work on the loop). */
    private readonly polls = new PollWatch();

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

    /** The directory to answer from; while there is none yet, waits a little (loading a snapshot, never writing), then gives up with DirectoryUnavailable. */
    async get(): Promise<Directory> {
        if (this.keeper.current) {
            return this.keeper.current;
        }
        void this.tick(false);
        await Promise.race([this.firstDirectory, this.sleep(this.options.firstDirectoryBudgetMs ?? FIRST_DIRECTORY_BUDGET_MS)]);
        if (!this.keeper.current) {
            throw new DirectoryUnavailable(RETRY_AFTER_SECONDS);
        }
        return this.keeper.current;
    }

    /** Looks at the shared store: applies the others' changes, loads a newer snapshot, or (`mayWrite`) crawls when nobody has. */
    tick(mayWrite = true): Promise<void> {
        this.ticking ??= (async () => {
            const startedAt = this.now();
            try {
                const meta = await this.refreshMeta();
                await this.keeper.follow(meta);
                this.loadOrBuildIfNeeded(meta, mayWrite ? 'tick' : 'read-only');
            } catch (error) {
                this.options.onError(error);
            } finally {
                this.ticking = undefined;
                this.polls.looked(startedAt, this.now());
            }
        })();
        return this.ticking;
    }

    /** The periodic upkeep (a scheduler job, which runs on one instance of the cluster): the cheap pass, or the safety net when due. */
    async rebuildIfDue(): Promise<void> {
        this.keeper.publishUnpublished();
        this.loadOrBuildIfNeeded(await this.refreshMeta(), 'job');
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
        const upkeep = this.meta.upkeep;
        const maxRoomMembers = this.maxRoomMembers();
        return {
            ready: !!this.keeper.current,
            building: this.work?.kind === 'build',
            loading: this.work?.kind === 'load',
            passing: this.work?.kind === 'pass' || this.work?.kind === 'reread',
            instance: this.instanceId,
            polls: { everyMs: POLL_MS, ...this.polls.report() },
            ageMs: snapshot ? this.now() - snapshot.crawlStartedAt : null,
            snapshot: snapshot
                ? {
                      id: snapshot.id,
                      builder: snapshot.builder,
                      builtAt: new Date(snapshot.builtAt).toISOString(),
                      users: snapshot.users,
                      chunks: snapshot.chunks,
                      bytes: snapshot.bytes ?? null,
                      taken: this.snapshotTaken ?? null,
                  }
                : null,
            lastBuild: this.report ?? null,
            upkeep: {
                passEveryMs: this.options.maxAgeMs(),
                fullRereadEveryMs: this.fullRereadMs(),
                maxRoomMembers,
                changesSinceBase: this.keeper.changesSinceBase,
                lastPass: this.reports?.read?.lastPass ?? null,
                lastFull: this.reports?.read?.lastFull ?? null,
                nextFullAt: upkeep ? new Date(upkeep.lastFullAt + this.fullRereadMs()).toISOString() : null,
                skippedRooms: Object.entries(upkeep?.bigRooms ?? {}).map(([id, members]) => ({
                    id,
                    members,
                    reason: upkeep?.presumedRooms?.includes(id)
                        ? `a default channel, presumed to hold as many members as the ${members} users known without it: more than the ${ONE_MESSAGE_MEMBERS} the engine can hand over in one message, so never read (its members come from events, other rooms and direct rooms)`
                        : `more than ${readWholeUpTo(maxRoomMembers)} members when last read: not read whole (its members come from events, other rooms, direct rooms and the safety net's reads by id)`,
                })),
            },
        };
    }

    /** A user the app learned of from an event (true now). */
    upsert(user: IUser): void {
        this.keeper.record({ op: 'upsert', record: toUserRecord(user), asOf: this.now() });
    }

    /**
     * Adds a user met in a request when the directory lacks it (users in no
     * room come in this way). A GET request writes nothing: the user is
     * published with the next handler that may write.
     */
    meet(user: IUser): void {
        if (this.keeper.current && !this.keeper.current.has(user.id)) {
            this.keeper.recordLocally({ op: 'upsert', record: toUserRecord(user), asOf: this.now() });
        }
    }

    /** A handler that may write was called: publishes what requests met meanwhile. */
    mayWrite(): void {
        this.keeper.publishUnpublished();
    }

    /**
     * Reads the user again once Rocket.Chat has applied the change an event
     * announced: `users.update` fires its event before it applies `active`.
     */
    confirmLater(userId: string): void {
        let asOf = 0;
        this.sleep(CONFIRM_AFTER_MS)
            .then(() => {
                asOf = this.now();
                return this.options.reader().getUserReader().getById(userId);
            })
            .then((user) => {
                const record = user && toUserRecord(user);
                if (record && !sameUser(record, this.keeper.current?.get(userId))) {
                    this.keeper.record({ op: 'upsert', record, asOf });
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
        const asOf = this.now();
        if (this.keeper.current?.has(user.id)) {
            const fields: Partial<UserRecord> = { status };
            if (typeof user.statusText === 'string') fields.statusText = user.statusText;
            if (Array.isArray(user.roles)) fields.roles = user.roles;
            this.keeper.record({ op: 'patch', id: user.id, fields, asOf });
            return;
        }
        const full = await this.options.reader().getUserReader().getById(user.id);
        if (full) {
            this.keeper.record({ op: 'upsert', record: toUserRecord({ ...full, status }), asOf });
        }
    }

    remove(userId: string): void {
        this.keeper.record({ op: 'remove', id: userId, asOf: this.now() });
    }

    /** A change from elsewhere in the app (its own deactivations), applied and published like an event's. */
    record(change: Change): void {
        this.keeper.record({ asOf: this.now(), ...change });
    }

    /**
     * What to do after a look at the store: load a newer snapshot (or just
     * take its pointer when the feed already brought its content here), make
     * the first build when there is none, and, from the job (or when it has
     * not run for twice its period), the cheap pass or the safety net.
     */
    private loadOrBuildIfNeeded(meta: ClusterMeta, caller: 'read-only' | 'tick' | 'job'): void {
        if (this.work) {
            return;
        }
        const now = this.now();
        const snapshot = meta.snapshot;
        const broken = !!snapshot && snapshot.id === this.brokenSnapshot;
        if (snapshot && !broken && snapshot.id !== this.snapshot?.id && (!this.snapshot || snapshot.builtAt > this.snapshot.builtAt)) {
            if (this.keeper.current && snapshot.adoptable) {
                this.snapshot = snapshot;
                this.snapshotTaken = 'adopted';
                this.keeper.changesSinceBase = 0;
                return;
            }
            this.startWork('load', async () => {
                try {
                    await loadSnapshot(this.rebuildContext(), snapshot);
                } catch (error) {
                    this.brokenSnapshot = snapshot.id;
                    throw error;
                }
                this.snapshot = snapshot;
                this.snapshotTaken = 'loaded';
            });
            return;
        }
        if (caller === 'read-only' || !this.options.store.canWrite || !leaseIsFree(meta.lease, this.instanceId, now)) {
            return;
        }
        if (!snapshot || (broken && !this.keeper.current)) {
            this.startWork('build', async () => {
                const pointer = await firstBuild(this.rebuildContext(), meta, (report) => (this.report = report));
                if (pointer) this.written(pointer);
                await this.refreshMeta();
            });
            return;
        }
        const state = upkeepStateOf(meta);
        const sincePass = now - state.lastPassStartedAt;
        const due = caller === 'job' ? sincePass >= this.options.maxAgeMs() / 2 : sincePass >= 2 * this.options.maxAgeMs();
        if (!due || !this.keeper.current) {
            return;
        }
        const full = now - state.lastFullAt >= this.fullRereadMs();
        this.startWork(full ? 'reread' : 'pass', async () => {
            const pointer = await (full ? rereadAll : passAndCompact)(this.rebuildContext(), meta, state);
            if (pointer) this.written(pointer);
            await this.refreshMeta();
        });
    }

    /** Reads the meta records (one store read), and the upkeep's reports when a pass or full read has ended since they were read. */
    private async refreshMeta(): Promise<ClusterMeta> {
        const meta = await readMeta(this.options.store);
        this.meta = meta;
        const upkeep = meta.upkeep && `${meta.upkeep.lastPassStartedAt}:${meta.upkeep.lastFullAt}`;
        if (upkeep && upkeep !== this.reports?.for) {
            this.reports = { for: upkeep, read: await readUpkeepReports(this.options.store) };
        }
        return meta;
    }

    private written(pointer: SnapshotPointer): void {
        this.snapshot = pointer;
        this.snapshotTaken = 'written';
    }

    private fullRereadMs(): number {
        return this.options.fullRereadMs?.() ?? DEFAULT_FULL_REREAD_MS;
    }

    private maxRoomMembers(): number {
        return this.options.maxRoomMembers?.() ?? DEFAULT_MAX_ROOM_MEMBERS;
    }

    private startWork(kind: 'build' | 'load' | 'pass' | 'reread', run: () => Promise<void>): void {
        if (kind === 'build' || kind === 'load') this.keeper.keepChanges();
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
            maxRoomMembers: () => this.maxRoomMembers(),
            onError: this.options.onError,
            now: this.now,
            sleep: this.sleep,
        };
    }
}
