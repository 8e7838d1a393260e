/**
 * The scheduler's job store, shared by every instance of a cluster, as
 * Rocket.Chat's AppSchedulerBridge keeps jobs with Agenda in MongoDB
 * (`rocketchat_apps_scheduler`):
 *
 * - `schedule` (scheduleOnce) always adds a job, even under a name that
 *   already has one; the startup variant adds one only when no one-time job
 *   of that name exists.
 * - `every` (scheduleRecurring) keeps ONE recurring job per name: calling it
 *   again (from any instance) updates that job; its next run stays unless the
 *   new call skips the immediate run (Agenda protects a due `nextRunAt`).
 * - A due job runs on exactly one instance that has defined its processor
 *   (each instance's app registers its own), one run of a name at a time per
 *   instance (Agenda's concurrency 1); instances take turns.
 * - A recurring job's next run is computed when a run starts; a run still
 *   going when the next is due delays it. A one-time job is removed once run.
 * - The processor gets the job's data without `appId`, plus `jobId`.
 */
import { copy, objectId } from './documents';
import { Interval, nextRun } from './schedule';

export type Processor = (context: Record<string, unknown>) => Promise<unknown>;

export interface Job {
    /** Agenda's document id (24 hex characters). */
    id: string;
    /** The processor id, suffixed with `_<appId>` by the engine. */
    name: string;
    type: 'normal' | 'single';
    data: Record<string, unknown>;
    /** ms since epoch; undefined once a one-time job has run. */
    nextRunAt?: number;
    interval?: Interval;
    lastRunAt?: number;
    runningOn?: number;
}

type CancelQuery = { id: string } | { name: string } | { nameEndsWith: string };

export class JobStore {
    private readonly jobs = new Map<string, Job>();

    private readonly timers = new Map<string, NodeJS.Timeout>();

    /** name → instance number → processor */
    private readonly processors = new Map<string, Map<number, Processor>>();

    /** `<instance>:<name>` while a run of that name goes on there */
    private readonly busy = new Set<string>();

    private turn = 0;

    private stopped = false;

    constructor(private readonly log: (line: string) => void = () => undefined) {}

    /** The instance's app registered a processor (Agenda's `define` on that instance). */
    define(instance: number, name: string, processor: Processor): void {
        let byInstance = this.processors.get(name);
        if (!byInstance) this.processors.set(name, (byInstance = new Map<number, Processor>()));
        byInstance.set(instance, processor);
        for (const job of this.jobs.values()) if (job.name === name) this.dispatch(job);
    }

    /** The instance went away: its processors with it. */
    forgetInstance(instance: number): void {
        for (const byInstance of this.processors.values()) byInstance.delete(instance);
    }

    schedule(name: string, at: number, data: Record<string, unknown>): Job {
        const job: Job = { id: objectId(), name, type: 'normal', data: copy(data), nextRunAt: at };
        this.jobs.set(job.id, job);
        this.arm(job);
        return job;
    }

    every(name: string, interval: Interval, data: Record<string, unknown>, skipImmediate: boolean): Job {
        const now = Date.now();
        const nextRunAt = skipImmediate ? nextRun(interval, now) : now;
        const existing = [...this.jobs.values()].find((j) => j.type === 'single' && j.name === name);
        if (existing) {
            existing.interval = interval;
            existing.data = copy(data);
            // Agenda sets a due nextRunAt only on insert: the existing schedule stays.
            if (nextRunAt > now) existing.nextRunAt = nextRunAt;
            this.arm(existing);
            return existing;
        }
        const job: Job = { id: objectId(), name, type: 'single', data: copy(data), nextRunAt, interval };
        this.jobs.set(job.id, job);
        this.arm(job);
        return job;
    }

    find(filter: { name?: string; type?: Job['type'] } = {}): Job[] {
        return [...this.jobs.values()].filter(
            (j) => (filter.name === undefined || j.name === filter.name) && (filter.type === undefined || j.type === filter.type),
        );
    }

    cancel(query: CancelQuery): number {
        let removed = 0;
        for (const job of [...this.jobs.values()]) {
            const hit = 'id' in query ? job.id === query.id : 'name' in query ? job.name === query.name : job.name.endsWith(query.nameEndsWith);
            if (!hit) continue;
            this.jobs.delete(job.id);
            this.clearTimer(job.id);
            removed++;
        }
        return removed;
    }

    /** Every timer off (host shutdown). */
    stop(): void {
        this.stopped = true;
        for (const id of [...this.timers.keys()]) this.clearTimer(id);
    }

    private clearTimer(id: string): void {
        const timer = this.timers.get(id);
        if (timer) clearTimeout(timer);
        this.timers.delete(id);
    }

    private arm(job: Job): void {
        this.clearTimer(job.id);
        if (this.stopped || job.nextRunAt === undefined || job.runningOn !== undefined) return;
        const timer = setTimeout(
            () => {
                this.timers.delete(job.id);
                this.dispatch(job);
            },
            Math.max(0, job.nextRunAt - Date.now()),
        );
        timer.unref();
        this.timers.set(job.id, timer);
    }

    /** Runs a due job on one instance that can take it; a job nobody can take waits for a processor or a free instance. */
    private dispatch(job: Job): void {
        if (this.stopped || !this.jobs.has(job.id) || job.runningOn !== undefined || job.nextRunAt === undefined) return;
        if (job.nextRunAt > Date.now()) return this.arm(job);
        const candidates = [...(this.processors.get(job.name) ?? new Map<number, Processor>()).entries()].filter(
            ([instance]) => !this.busy.has(`${instance}:${job.name}`),
        );
        if (!candidates.length) return;
        const [instance, processor] = candidates[this.turn++ % candidates.length];
        this.run(job, instance, processor);
    }

    private run(job: Job, instance: number, processor: Processor): void {
        const lane = `${instance}:${job.name}`;
        this.busy.add(lane);
        job.runningOn = instance;
        job.lastRunAt = Date.now();
        job.nextRunAt = job.type === 'single' && job.interval ? nextRun(job.interval, job.lastRunAt) : undefined;
        const { appId: _appId, ...data } = copy(job.data);
        processor({ ...data, jobId: job.id })
            .catch((e: Error) => this.log(`job ${job.name} failed on instance ${instance}: ${e?.message ?? e}`))
            .finally(() => {
                this.busy.delete(lane);
                job.runningOn = undefined;
                if (job.type === 'normal') this.jobs.delete(job.id);
                else this.arm(job);
                // The lane is free again: a job of this name that waited for it can go.
                for (const other of this.jobs.values()) if (other.name === job.name && other !== job) this.dispatch(other);
            });
    }
}
