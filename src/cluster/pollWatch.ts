/** A worst look is forgotten this long after it happened. */
const FORGET_AFTER_MS = 3600_000;

/**
 * How late an instance's looks at the shared store came, for directory.info:
 * the longest time between the starts of two looks (the poll period, or more
 * when the loop was held or a look was slow) and the longest look, each the
 * worst of about the last hour. What a change from another instance may wait.
 */
export class PollWatch {
    private lastStart?: number;
    private gap = { ms: 0, at: 0 };
    private look = { ms: 0, at: 0 };

    looked(startedAt: number, endedAt: number): void {
        if (endedAt - this.gap.at > FORGET_AFTER_MS) this.gap = { ms: 0, at: 0 };
        if (endedAt - this.look.at > FORGET_AFTER_MS) this.look = { ms: 0, at: 0 };
        const gap = this.lastStart === undefined ? 0 : startedAt - this.lastStart;
        if (gap > this.gap.ms) this.gap = { ms: gap, at: startedAt };
        if (endedAt - startedAt > this.look.ms) this.look = { ms: endedAt - startedAt, at: startedAt };
        this.lastStart = startedAt;
    }

    report(): Record<string, unknown> {
        const at = (ms: number) => (ms ? new Date(ms).toISOString() : null);
        return { longestGapMs: this.gap.ms, longestGapAt: at(this.gap.at), longestLookMs: this.look.ms, longestLookAt: at(this.look.at) };
    }
}
