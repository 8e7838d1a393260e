import { Flag } from '../columns';
import { Caller, Config, hasPermission } from '../config';
import { ApiResponse, missingPermission } from '../errors';
import { ListContext, ListRequest, requireCaller } from '../handlers';

/**
 * The workspace summary (`directory.summary`): seats, user counts, last-login
 * buckets and the largest roles, counted over the directory's columns in one
 * pass, without building a record per user.
 */

/** What the summary reads: the directory's per-slot columns (slots without Flag.LIVE are empty). */
export interface SummaryColumns {
    readonly flags: Uint16Array;
    readonly typeCodes: Uint32Array;
    readonly roleCodes: Uint32Array;
    /** One field of a slot's user, as its record holds it (read once per type or role list). */
    field(slot: number, field: string): unknown;
    /** A slot's last login as a time in ms, NaN when none. */
    time(slot: number, field: 'lastLogin'): number;
}

export const LAST_LOGIN_BUCKETS = ['7d', '30d', '90d', '1y', 'older', 'never'] as const;
export type LastLoginBucket = (typeof LAST_LOGIN_BUCKETS)[number];

export interface WorkspaceSummary {
    seats: number;
    users: { total: number; active: number; deactivated: number; bots: number; apps: number; guests: number; neverLoggedIn: number };
    lastLogin: Record<LastLoginBucket, number>;
    roles: Array<{ role: string; users: number }>;
    /** When the directory last changed (ISO), or null when it never has. */
    asOf: string | null;
}

const DAY_MS = 24 * 3600 * 1000;
/** Upper ends of the dated buckets, in days; a login exactly on a boundary counts in the more recent bucket. */
const BUCKET_DAYS: ReadonlyArray<[LastLoginBucket, number]> = [
    ['7d', 7],
    ['30d', 30],
    ['90d', 90],
    ['1y', 365],
];
const MAX_ROLES = 10;

/** Roles exactly `['guest']`: a guest who also holds another role takes a seat. */
export function isOnlyGuest(roles: readonly string[] | undefined): boolean {
    return roles !== undefined && roles.length === 1 && roles[0] === 'guest';
}

/** The bucket of a last login (a time in ms, NaN when the user never logged in), seen from `now`. */
function lastLoginBucket(lastLogin: number, now: number): LastLoginBucket {
    if (Number.isNaN(lastLogin)) {
        return 'never';
    }
    const age = now - lastLogin;
    for (const [bucket, days] of BUCKET_DAYS) {
        if (age <= days * DAY_MS) return bucket;
    }
    return 'older';
}

/**
 * A value derived from a coded field (type, role list), computed once per
 * distinct code from the first slot that has it: the directory holds each
 * value once, so a workspace has few.
 */
function perCode<T>(columns: SummaryColumns, codes: Uint32Array, field: string, derive: (value: unknown) => T) {
    const known: T[] = [];
    return {
        known,
        of(slot: number): T {
            const code = codes[slot];
            return (known[code] ??= derive(columns.field(slot, field)));
        },
    };
}

const TYPE_BOT = 1;
const TYPE_APP = 2;

export function summarize(columns: SummaryColumns, now: number, asOf: number | undefined): WorkspaceSummary {
    const { flags } = columns;
    const kinds = perCode(columns, columns.typeCodes, 'type', (type) => (type === 'bot' ? TYPE_BOT : type === 'app' ? TYPE_APP : 0));
    const roleLists = perCode(columns, columns.roleCodes, 'roles', (roles) => (Array.isArray(roles) ? (roles as string[]) : []));
    /** Active users per role-list code: the roles are counted per list at the end. */
    const activeByRoleCode: number[] = [];
    const users = { total: 0, active: 0, deactivated: 0, bots: 0, apps: 0, guests: 0, neverLoggedIn: 0 };
    const lastLogin = Object.fromEntries(LAST_LOGIN_BUCKETS.map((bucket) => [bucket, 0])) as Record<LastLoginBucket, number>;
    let seats = 0;

    for (let slot = 0; slot < flags.length; slot++) {
        const flag = flags[slot];
        if ((flag & Flag.LIVE) === 0) continue;
        users.total++;
        const kind = kinds.of(slot);
        if (kind === TYPE_BOT) users.bots++;
        if (kind === TYPE_APP) users.apps++;
        if ((flag & Flag.ACTIVE) === 0) {
            users.deactivated++;
            continue;
        }

        users.active++;
        const roleCode = columns.roleCodes[slot];
        activeByRoleCode[roleCode] = (activeByRoleCode[roleCode] ?? 0) + 1;
        const onlyGuest = isOnlyGuest(roleLists.of(slot));
        if (onlyGuest) users.guests++;
        // Rocket.Chat's license seat (Users.getActiveLocalUserCount): active, not a bot or app, not federated, not only a guest.
        if (kind !== 0 || onlyGuest || flag & Flag.FEDERATED) continue;

        seats++;
        const bucket = flag & Flag.LOGGED_IN ? lastLoginBucket(columns.time(slot, 'lastLogin'), now) : 'never';
        lastLogin[bucket]++;
    }
    users.neverLoggedIn = lastLogin.never;

    const byRole = new Map<string, number>();
    activeByRoleCode.forEach((count, code) => {
        for (const role of new Set(roleLists.known[code])) byRole.set(role, (byRole.get(role) ?? 0) + count);
    });
    const roles = [...byRole]
        .map(([role, count]) => ({ role, users: count }))
        .sort((a, b) => b.users - a.users || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0))
        .slice(0, MAX_ROLES);

    return { seats, users, lastLogin, roles, asOf: asOf === undefined ? null : new Date(asOf).toISOString() };
}

/** The summary's callers: admins, and the roles the `view-seats` setting lists. */
export function canViewSeats(caller: Caller, config: Config): boolean {
    return caller.roles.includes('admin') || hasPermission(caller, 'view-seats', config);
}

/** GET directory.summary: 401, then the route permission's 403; no parameters. */
export function directorySummary(request: ListRequest, context: ListContext, clock: { now: number; asOf: number | undefined }): ApiResponse {
    const caller = requireCaller(request);
    if (!canViewSeats(caller, context.config)) {
        throw missingPermission();
    }
    return { status: 200, content: { ...summarize(context.directory, clock.now, clock.asOf), success: true } };
}
