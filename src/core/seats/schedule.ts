/** The daily clean-up's time of day and its one-run-per-day rule. Pure. */

/** `HH:MM` (UTC, 24 h) → hour and minute; undefined when malformed. */
export function parseTimeOfDay(value: unknown): { hour: number; minute: number } | undefined {
    const match = typeof value === 'string' ? /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$/.exec(value) : null;
    return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
}

/** The cron expression of a daily run at that time (the scheduler runs cron in UTC). */
export function dailyCron(time: { hour: number; minute: number }): string {
    return `${time.minute} ${time.hour} * * *`;
}

/** The UTC day a moment falls on, `YYYY-MM-DD`: the clean-up runs at most once per such day. */
export function dayOf(now: number): string {
    return new Date(now).toISOString().slice(0, 10);
}
