/**
 * Time expressions of the Apps-Engine scheduler, as Rocket.Chat's Agenda
 * accepts them: a Date, a date string, a human interval ("in 5 seconds",
 * "10 minutes", "1 hour and 30 minutes"), a number of milliseconds, or a
 * cron expression (5 or 6 fields) for recurring jobs.
 */

const UNITS: Record<string, number> = {
    ms: 1,
    millisecond: 1,
    milliseconds: 1,
    s: 1000,
    sec: 1000,
    secs: 1000,
    second: 1000,
    seconds: 1000,
    m: 60000,
    min: 60000,
    mins: 60000,
    minute: 60000,
    minutes: 60000,
    h: 3600000,
    hour: 3600000,
    hours: 3600000,
    d: 86400000,
    day: 86400000,
    days: 86400000,
    w: 604800000,
    week: 604800000,
    weeks: 604800000,
    month: 2592000000,
    months: 2592000000,
    year: 31536000000,
    years: 31536000000,
};

const WORDS: Record<string, number> = {
    a: 1,
    an: 1,
    one: 1,
    two: 2,
    three: 3,
    four: 4,
    five: 5,
    six: 6,
    seven: 7,
    eight: 8,
    nine: 9,
    ten: 10,
    fifteen: 15,
    thirty: 30,
};

/** Milliseconds of a human interval such as "5 seconds" or "1 hour and 30 minutes"; undefined if it is not one. */
function humanInterval(text: string): number | undefined {
    const cleaned = text
        .trim()
        .toLowerCase()
        .replace(/^every\s+/, '')
        .replace(/^in\s+/, '');
    if (!cleaned) return undefined;
    const parts = cleaned.split(/\s*(?:,|\band\b)\s*/).filter(Boolean);
    let total = 0;
    for (const part of parts) {
        const m = part.match(/^(\d+(?:\.\d+)?|[a-z]+)?\s*([a-z]+)$/);
        if (!m) return undefined;
        const amount = m[1] === undefined ? 1 : /^\d/.test(m[1]) ? Number(m[1]) : WORDS[m[1]];
        const unit = UNITS[m[2]];
        if (amount === undefined || unit === undefined) return undefined;
        total += amount * unit;
    }
    return total;
}

/** The time (ms since epoch) a one-time job given `when` should run. */
export function parseWhen(when: unknown, now = Date.now()): number {
    if (when instanceof Date) return when.getTime();
    if (typeof when === 'number') return when;
    if (typeof when === 'string') {
        const trimmed = when.trim().toLowerCase();
        if (trimmed === 'now' || trimmed === '') return now;
        const human = humanInterval(trimmed);
        if (human !== undefined) return now + human;
        const date = Date.parse(when);
        if (!Number.isNaN(date)) return date;
    }
    throw new Error(`Invalid "when" for a scheduled job: ${JSON.stringify(when)}`);
}

export type Interval = { every: number } | { cron: CronSpec };

interface CronSpec {
    seconds: Set<number>;
    minutes: Set<number>;
    hours: Set<number>;
    days: Set<number>;
    months: Set<number>;
    weekdays: Set<number>;
    anyDay: boolean;
    anyWeekday: boolean;
}

function cronField(field: string, min: number, max: number): Set<number> {
    const out = new Set<number>();
    for (const item of field.split(',')) {
        const [range, stepText] = item.split('/');
        const step = stepText === undefined ? 1 : Number(stepText);
        let lo: number;
        let hi: number;
        if (range === '*' || range === '?') {
            lo = min;
            hi = max;
        } else if (range.includes('-')) {
            [lo, hi] = range.split('-').map(Number);
        } else {
            lo = Number(range);
            hi = stepText === undefined ? lo : max;
        }
        if (![lo, hi, step].every(Number.isFinite) || step <= 0 || lo < min || hi > max || lo > hi) {
            throw new Error(`Invalid cron field "${field}"`);
        }
        for (let v = lo; v <= hi; v += step) out.add(v);
    }
    return out;
}

function parseCron(expr: string): CronSpec | undefined {
    const fields = expr.trim().split(/\s+/);
    if (fields.length !== 5 && fields.length !== 6) return undefined;
    if (!fields.every((f) => /^[\d*?,\-/]+$/.test(f))) return undefined;
    const [sec, min, hour, dom, mon, dow] = fields.length === 6 ? fields : ['0', ...fields];
    const weekdays = cronField(dow, 0, 7);
    if (weekdays.has(7)) weekdays.add(0);
    return {
        seconds: cronField(sec, 0, 59),
        minutes: cronField(min, 0, 59),
        hours: cronField(hour, 0, 23),
        days: cronField(dom, 1, 31),
        months: cronField(mon, 1, 12),
        weekdays,
        anyDay: dom === '*' || dom === '?',
        anyWeekday: dow === '*' || dow === '?',
    };
}

/** Parses the interval of a recurring job. */
export function parseInterval(interval: unknown): Interval {
    if (typeof interval === 'number' && interval > 0) return { every: interval };
    if (typeof interval === 'string') {
        const cron = parseCron(interval);
        if (cron) return { cron };
        const human = humanInterval(interval);
        if (human !== undefined && human > 0) return { every: human };
        if (/^\d+$/.test(interval.trim()) && Number(interval) > 0) return { every: Number(interval) };
    }
    throw new Error(`Invalid interval for a recurring job: ${JSON.stringify(interval)}`);
}

/** The next run (ms since epoch) strictly after `from`. */
export function nextRun(interval: Interval, from: number): number {
    if ('every' in interval) return from + interval.every;
    const spec = interval.cron;
    const d = new Date(Math.floor(from / 1000) * 1000 + 1000);
    for (let i = 0; i < 366 * 24 * 60 * 60; i++) {
        const dayOk =
            spec.anyDay && spec.anyWeekday
                ? true
                : spec.anyDay
                  ? spec.weekdays.has(d.getDay())
                  : spec.anyWeekday
                    ? spec.days.has(d.getDate())
                    : spec.days.has(d.getDate()) || spec.weekdays.has(d.getDay());
        if (!spec.months.has(d.getMonth() + 1) || !dayOk) {
            d.setHours(0, 0, 0, 0);
            d.setDate(d.getDate() + 1);
            continue;
        }
        if (!spec.hours.has(d.getHours())) {
            d.setMinutes(0, 0, 0);
            d.setHours(d.getHours() + 1);
            continue;
        }
        if (!spec.minutes.has(d.getMinutes())) {
            d.setSeconds(0, 0);
            d.setMinutes(d.getMinutes() + 1);
            continue;
        }
        if (!spec.seconds.has(d.getSeconds())) {
            d.setSeconds(d.getSeconds() + 1, 0);
            continue;
        }
        return d.getTime();
    }
    throw new Error('Cron expression never matches');
}
