import type { KeyedRecordStore } from '../cluster/store';
import type { SeatUser } from '../core/seats/inactive';
import type { RunEntry } from '../core/seats/outcome';

/**
 * What deactivation keeps in the app's persistence, which every instance of a
 * cluster shares: previews (plans), the one current run, and the day the
 * clean-up last ran.
 */

/** A preview: exactly who a confirmation would deactivate. */
export interface Plan {
    kind: 'seats-plan';
    id: string;
    days: number;
    /** ms; the rule is checked against this cutoff again right before each deactivation. */
    cutoff: number;
    createdAt: number;
    by: { id: string; username: string };
    users: SeatUser[];
    /** Set once confirmed: the run it started. */
    runId?: string;
}

export interface RunRecord {
    kind: 'seats-run';
    id: string;
    trigger: 'manual' | 'schedule';
    /** The admin who confirmed (absent for the schedule). */
    by?: { id: string; username: string };
    /** The language of the messages the run writes (the admin's). */
    language?: string;
    planId?: string;
    days: number;
    cutoff: number;
    users: SeatUser[];
    /** Users handled so far: `entries[i]` is `users[i]`. */
    entries: RunEntry[];
    state: 'running' | 'finished' | 'failed';
    /** Why a run failed before it could start deactivating (e.g. the undo list could not be sent). */
    failure?: string;
    undoSent: boolean;
    /** Where progress is shown (set once the undo list is there). */
    progress?: { roomId: string };
    startedAt: number;
    /** Written by every step: a running run whose heartbeat is this old has died with its instance. */
    heartbeatAt: number;
    finishedAt?: number;
}

export interface CleanupDay {
    kind: 'seats-cleanup-day';
    day: string;
    holder: string;
    at: number;
}

/** One preview per admin: a new one replaces the last, so previews never pile up. */
const planKey = (adminId: string) => `seats/plan/${adminId}`;
const RUN_KEY = 'seats/run';
const CLEANUP_DAY_KEY = 'seats/cleanup-day';

/** The most users one run takes (the stored run stays far below MongoDB's 16 MB document limit); a second run takes the rest. */
export const MAX_RUN_USERS = 10_000;
/** A preview can be confirmed for this long. */
export const PLAN_TTL_MS = 60 * 60_000;
/** A running run that has not stepped for this long is taken as dead (its instance went away). */
export const RUN_STALE_MS = 5 * 60_000;
/** Claims written within this window all land before anyone reads them back: the last one wins. */
const SETTLE_MS = 300;

export class SeatsRecords {
    constructor(
        private readonly store: KeyedRecordStore,
        private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ) {}

    async savePlan(plan: Plan): Promise<void> {
        await this.store.put([planKey(plan.by.id)], plan);
    }

    /** The admin's latest preview. */
    async planOf(adminId: string): Promise<Plan | undefined> {
        const [plan] = (await this.store.find([planKey(adminId)])) as Plan[];
        return plan?.kind === 'seats-plan' ? plan : undefined;
    }

    async run(): Promise<RunRecord | undefined> {
        const [run] = (await this.store.find([RUN_KEY])) as RunRecord[];
        return run?.kind === 'seats-run' ? run : undefined;
    }

    async saveRun(run: RunRecord): Promise<void> {
        await this.store.put([RUN_KEY], run);
    }

    /**
     * Makes `run` the workspace's current run, unless another is running: the
     * store has no compare-and-set, so the claim is written, left to settle
     * and read back; of claims made at the same moment only the last written
     * survives, and exactly one claimant finds its own.
     */
    async claimRun(run: RunRecord, now: number): Promise<{ claimed: true } | { claimed: false; current: RunRecord }> {
        const current = await this.run();
        if (current && isRunning(current, now)) {
            return { claimed: false, current };
        }
        await this.saveRun(run);
        await this.sleep(SETTLE_MS);
        const after = await this.run();
        return after?.id === run.id ? { claimed: true } : { claimed: false, current: after ?? run };
    }

    /** Takes the clean-up of `day` for `holder`, unless it ran (or runs) that day already, on any instance. */
    async claimCleanupDay(day: string, holder: string, now: number): Promise<boolean> {
        const [current] = (await this.store.find([CLEANUP_DAY_KEY])) as CleanupDay[];
        if (current?.day === day) {
            return false;
        }
        const claim: CleanupDay = { kind: 'seats-cleanup-day', day, holder, at: now };
        await this.store.put([CLEANUP_DAY_KEY], claim);
        await this.sleep(SETTLE_MS);
        const [after] = (await this.store.find([CLEANUP_DAY_KEY])) as CleanupDay[];
        return after?.day === day && after.holder === holder;
    }
}

export function isRunning(run: RunRecord, now: number): boolean {
    return run.state === 'running' && now - run.heartbeatAt < RUN_STALE_MS;
}
