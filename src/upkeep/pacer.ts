import type { Job, RunInSteps } from '../core/job';

/** Lets other work run (requests, events) during a long job; `due()` says when it is time to. */
export interface Pacer {
    due(): boolean;
    pause(): Promise<void>;
}

/** A pacer that pauses for a macrotask after every `sliceMs` of work. */
export function pacer(sliceMs = 10): Pacer {
    let since = Date.now();
    return {
        due: () => Date.now() - since >= sliceMs,
        pause: () =>
            new Promise((resolve) =>
                setTimeout(() => {
                    since = Date.now();
                    resolve();
                }, 0),
            ),
    };
}

/** Runs a job's steps, pausing whenever the pacer says so. */
export async function runPaced<T>(job: Job<T>, pace: Pacer): Promise<T> {
    for (;;) {
        const step = job.next();
        if (step.done) return step.value;
        if (pace.due()) await pace.pause();
    }
}

/** How the directory builds an order in the background: each job with a fresh pacer. */
export const inBackground: RunInSteps = (job) => runPaced(job, pacer());
