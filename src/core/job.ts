/**
 * A long job cut into steps: it yields between steps, so that it can run at
 * once (`runNow`) or, driven by the upkeep, give other work a turn now and
 * then (see upkeep/pacer.ts).
 */
export type Job<T> = Generator<void, T, void>;

/** Runs a job in steps off the request path; resolves with its result. */
export type RunInSteps = <T>(job: Job<T>) => Promise<T>;

/** Work between two steps of a job. */
export const STEP = 1024;

export function runNow<T>(job: Job<T>): T {
    for (;;) {
        const step = job.next();
        if (step.done) return step.value;
    }
}
