/**
 * Time for the code under test that takes no real time. `sleep` lets every
 * task already queued run first (one macrotask), then moves the clock on by
 * the time slept: work started together all runs before any sleeper wakes,
 * as it would over a real wait. Instances sharing a clock share its time.
 */
export class VirtualClock {
    private time = Date.UTC(2026, 0, 1);

    readonly now = (): number => this.time;

    readonly sleep = async (ms: number): Promise<void> => {
        const until = this.time + ms;
        await nextMacrotask();
        this.time = Math.max(this.time, until);
    };

    /** Lets queued work run (a few macrotasks) until `done` holds; fails if it never does. */
    async until(done: () => boolean, rounds = 200): Promise<void> {
        for (let round = 0; round < rounds && !done(); round++) {
            await nextMacrotask();
        }
        if (!done()) {
            throw new Error(`Still not done after ${rounds} rounds of queued work`);
        }
    }

    /** Lets queued work run: a few macrotasks, each of which may wake a sleeper. */
    async idle(rounds = 20): Promise<void> {
        for (let round = 0; round < rounds; round++) {
            await nextMacrotask();
        }
    }
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
