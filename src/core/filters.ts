import { DirectoryColumns, Filter, Flag } from './directory';
import type { UserRecord } from './record';

/**
 * The filters the endpoints combine. Each narrows a bitmap of directory
 * slots, scanning columns in memory order; the cheap ones (flags, roles,
 * type) run before text searches and record tests.
 */

/** Users with any of the flags in `mask`. */
export function anyFlag(mask: number): Filter {
    return {
        key: `flag:${mask}`,
        narrow({ flags }, matches) {
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1 && (flags[slot] & mask) === 0) matches[slot] = 0;
            }
        },
    };
}

/** Users with (`present` true) or without a flag. */
export function hasFlag(flag: number, present: boolean): Filter {
    return {
        key: `${present ? '+' : '-'}${flag}`,
        narrow({ flags }, matches) {
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1 && ((flags[slot] & flag) !== 0) !== present) matches[slot] = 0;
            }
        },
    };
}

/**
 * users.listByStatus's `inactiveReason`, which the engine's users lack, read
 * from what they have: a deactivated user who never logged in is awaiting
 * approval (`pending_approval`); any other user counts as `deactivated` or
 * `idle_too_long` (indistinguishable here), as Rocket.Chat counts users
 * without a reason.
 */
export function inactiveReasonIn(reasons: readonly string[]): Filter {
    const pending = reasons.includes('pending_approval');
    const other = reasons.includes('deactivated') || reasons.includes('idle_too_long');
    return {
        key: `inactive-reason:${pending}:${other}`,
        narrow({ flags }, matches) {
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] !== 1) continue;
                const awaitingApproval = (flags[slot] & (Flag.DEACTIVATED | Flag.LOGGED_IN)) === Flag.DEACTIVATED;
                if (!(awaitingApproval ? pending : other)) matches[slot] = 0;
            }
        },
    };
}

/** Users having at least one of the roles. */
export function anyRole(roles: readonly string[]): Filter {
    return {
        key: `roles:${JSON.stringify(roles)}`,
        narrow(columns, matches) {
            const wanted = columns.roleListsWithAny(roles);
            const codes = columns.roleCodes;
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1 && wanted[codes[slot]] !== 1) matches[slot] = 0;
            }
        },
    };
}

export function ofType(type: string): Filter {
    return {
        key: `type:${JSON.stringify(type)}`,
        narrow(columns, matches) {
            const code = columns.typeCode(type);
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1 && columns.typeCodes[slot] !== code) matches[slot] = 0;
            }
        },
    };
}

/** A literal, unanchored, case-insensitive substring of username or name (and of an email address when asked). */
export function containsText(text: string, includeEmails: boolean): Filter {
    const needle = text.toLowerCase();
    return {
        key: `text:${includeEmails}:${JSON.stringify(needle)}`,
        narrow(columns, matches) {
            const hits = columns.searchHits(needle, includeEmails);
            for (let slot = 0; slot < matches.length; slot++) {
                matches[slot] &= hits[slot];
            }
        },
    };
}

/** Everyone but one user. */
export function notUser(id: string): Filter {
    return {
        key: `not:${JSON.stringify(id)}`,
        narrow(columns, matches) {
            const slot = columns.slotOf(id);
            if (slot !== undefined && slot < matches.length) matches[slot] = 0;
        },
    };
}

/** Any test of whole records, built one per slot still matching (slow: prefer a test of columns); `key` must say what it tests. */
export function recordTest(key: string, test: (record: UserRecord) => boolean): Filter {
    return {
        key,
        narrow(columns, matches) {
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1 && !test(columns.record(slot))) matches[slot] = 0;
            }
        },
    };
}

/** Livechat's showIdleAgents=false: users whose status exists and is not offline, and bots whatever their status. */
export function presentOrBot(): Filter {
    return {
        key: 'present-or-bot',
        narrow(columns: DirectoryColumns, matches) {
            const bots = columns.roleListsWithAny(['bot']);
            const codes = columns.roleCodes;
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1 && (columns.flags[slot] & Flag.PRESENT) === 0 && bots[codes[slot]] !== 1) matches[slot] = 0;
            }
        },
    };
}
