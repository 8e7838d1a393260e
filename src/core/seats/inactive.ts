/**
 * Who is inactive and who may be deactivated: the pure rules of the
 * deactivation review, the run and the daily clean-up (docs/seats.md).
 * Nothing here reads the server or the clock: callers pass `now`.
 */

export const MIN_INACTIVE_DAYS = 1;
export const MAX_INACTIVE_DAYS = 3650;
export const DAY_MS = 24 * 3600 * 1000;

/** A mistake in what an admin asked for: an i18n key and its values. */
export class SeatsInputError extends Error {
    constructor(
        readonly key: string,
        readonly values: Record<string, string> = {},
    ) {
        super(key);
    }
}

/**
 * `inactive:<N>d` with 1 ≤ N ≤ 3650, the only argument. Missing, malformed,
 * out of range or followed by anything else: a SeatsInputError.
 */
export function parseInactiveArgument(words: readonly string[]): number {
    const given = words.filter((word) => word.length > 0);
    if (given.length === 0) {
        throw new SeatsInputError('deactivate_error_missing');
    }
    if (given.length > 1) {
        throw new SeatsInputError('deactivate_error_extra', { value: given.slice(1).join(' ') });
    }
    const match = /^inactive:(\d+)d$/i.exec(given[0]);
    if (!match) {
        throw new SeatsInputError('deactivate_error_duration', { value: given[0] });
    }
    // More digits than the largest allowed value has: out of range, without trusting Number() on them.
    const days = match[1].replace(/^0+(?=\d)/, '').length > String(MAX_INACTIVE_DAYS).length ? Infinity : Number(match[1]);
    if (!(days >= MIN_INACTIVE_DAYS && days <= MAX_INACTIVE_DAYS)) {
        throw new SeatsInputError('deactivate_error_range', { value: given[0], min: String(MIN_INACTIVE_DAYS), max: String(MAX_INACTIVE_DAYS) });
    }
    return days;
}

/** A user as the rules see them: from the directory for a preview, from the server for a run. */
export interface SeatUser {
    id: string;
    username?: string;
    name?: string;
    type?: string;
    roles?: readonly string[];
    active?: boolean;
    /** ISO timestamps. */
    lastLogin?: string;
    createdAt?: string;
    federated?: boolean;
    isRemote?: boolean;
}

/** `now - days`, in ms. */
export function cutoffFor(days: number, now: number): number {
    return now - days * DAY_MS;
}

const time = (iso: string | undefined) => (iso === undefined ? NaN : Date.parse(iso));

/**
 * Rocket.Chat's idle rule (`users.deactivateIdle`): last login on or before
 * the cutoff, or no login at all and created on or before it. An account
 * created after the cutoff that never logged in is not inactive, and neither
 * is one whose dates are unknown.
 */
export function isInactive(user: SeatUser, cutoffMs: number): boolean {
    const lastLogin = time(user.lastLogin);
    if (user.lastLogin !== undefined) {
        return lastLogin <= cutoffMs;
    }
    return time(user.createdAt) <= cutoffMs;
}

/** Why a matched user is never deactivated, in the order they are checked (each user counts under the first that applies). */
export const EXEMPTIONS = ['caller', 'appUser', 'admin', 'botOrApp', 'federated', 'exemptRole'] as const;
export type Exemption = (typeof EXEMPTIONS)[number];

/** Who is protected besides the fixed rules. */
export interface Protection {
    callerId?: string;
    appUserId?: string;
    /** Roles listed in the exempt-roles setting. */
    exemptRoles: ReadonlySet<string>;
}

export function exemptionOf(user: SeatUser, protection: Protection): Exemption | undefined {
    const roles = user.roles ?? [];
    if (protection.callerId !== undefined && user.id === protection.callerId) return 'caller';
    if (protection.appUserId !== undefined && user.id === protection.appUserId) return 'appUser';
    if (roles.includes('admin')) return 'admin';
    // Only accounts of type `user` are people: bots, apps and anything unknown are left alone.
    if (user.type !== 'user') return 'botOrApp';
    if (user.federated === true || user.isRemote === true) return 'federated';
    if (roles.some((role) => protection.exemptRoles.has(role))) return 'exemptRole';
    return undefined;
}

export interface InactiveSelection {
    days: number;
    /** ISO. */
    cutoff: string;
    /** Active users the rule matched, exempt ones included. */
    matched: number;
    /** Who may be deactivated: never logged in first, then the oldest login first, ties by username. */
    eligible: SeatUser[];
    /** How many matched users each exemption kept out. */
    exempted: Record<Exemption, number>;
}

export function noExemptions(): Record<Exemption, number> {
    return Object.fromEntries(EXEMPTIONS.map((exemption) => [exemption, 0])) as Record<Exemption, number>;
}

/** The active users inactive for `days` days at `now`, split into those who may be deactivated and those an exemption keeps out. */
export function selectInactive(users: Iterable<SeatUser>, days: number, now: number, protection: Protection): InactiveSelection {
    const cutoffMs = cutoffFor(days, now);
    const exempted = noExemptions();
    const eligible: SeatUser[] = [];
    let matched = 0;
    for (const user of users) {
        if (user.active !== true || !isInactive(user, cutoffMs)) continue;
        matched++;
        const exemption = exemptionOf(user, protection);
        if (exemption) {
            exempted[exemption]++;
        } else {
            eligible.push(user);
        }
    }
    eligible.sort(byLongestInactive);
    return { days, cutoff: new Date(cutoffMs).toISOString(), matched, eligible, exempted };
}

function byLongestInactive(a: SeatUser, b: SeatUser): number {
    const never = Number(b.lastLogin === undefined) - Number(a.lastLogin === undefined);
    if (never !== 0) return never;
    const byLogin = (a.lastLogin ?? a.createdAt ?? '').localeCompare(b.lastLogin ?? b.createdAt ?? '');
    if (byLogin !== 0) return byLogin;
    const byName = (a.username ?? '').localeCompare(b.username ?? '');
    return byName !== 0 ? byName : a.id.localeCompare(b.id);
}
