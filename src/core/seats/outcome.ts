/**
 * What happens to each user of a run: the check made again right before
 * deactivating (the server's fresh copy of the user), Rocket.Chat's
 * refusals read from its error text, and the report's counts. Pure.
 */
import { Exemption, exemptionOf, isInactive, Protection, SeatUser } from './inactive';

export const SKIP_REASONS = ['loggedInSince', 'exempt', 'alreadyDeactivated', 'gone', 'lastAdmin', 'lastOwner', 'federated', 'error'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Outcome = { kind: 'done' } | { kind: 'skipped'; reason: SkipReason; detail?: string };

/** One user's line in a run: who, and what became of them. */
export interface RunEntry {
    id: string;
    username?: string;
    name?: string;
    outcome: Outcome;
}

/**
 * Whether the rule still holds for the server's current copy of a user
 * (undefined: the user is gone): a skip, or undefined to go ahead.
 */
export function recheck(user: SeatUser | undefined, cutoffMs: number, protection: Protection): Outcome | undefined {
    if (!user) return { kind: 'skipped', reason: 'gone' };
    if (user.active !== true) return { kind: 'skipped', reason: 'alreadyDeactivated' };
    const exemption: Exemption | undefined = exemptionOf(user, protection);
    if (exemption) return { kind: 'skipped', reason: 'exempt', detail: exemption };
    if (!isInactive(user, cutoffMs)) return { kind: 'skipped', reason: 'loggedInSince', ...(user.lastLogin && { detail: user.lastLogin }) };
    return undefined;
}

/**
 * Rocket.Chat's refusals of a deactivation, from the error's text
 * (`setUserActiveStatus`: `error-action-not-allowed` for the last admin,
 * `user-last-owner` without `confirmRelinquish`, `error-user-is-federated`);
 * anything else is an error, reported with the engine's own words.
 */
export function classifyRefusal(message: string): Outcome {
    if (/user-last-owner/i.test(message)) return { kind: 'skipped', reason: 'lastOwner', detail: message };
    if (/Remove_last_admin|without an active admin/i.test(message)) return { kind: 'skipped', reason: 'lastAdmin', detail: message };
    if (/federated/i.test(message)) return { kind: 'skipped', reason: 'federated', detail: message };
    return { kind: 'skipped', reason: 'error', detail: message || 'unknown error' };
}

export interface RunTally {
    done: number;
    skipped: Record<SkipReason, number>;
    skippedTotal: number;
}

export function tally(entries: readonly RunEntry[]): RunTally {
    const skipped = Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<SkipReason, number>;
    let done = 0;
    for (const { outcome } of entries) {
        if (outcome.kind === 'done') done++;
        else skipped[outcome.reason]++;
    }
    return { done, skipped, skippedTotal: entries.length - done };
}

/** The undo list's columns, as Rocket.Chat names the fields. */
export const UNDO_COLUMNS = ['_id', 'username', 'name', 'lastLogin', 'createdAt', 'roles'] as const;

export function undoRow(user: SeatUser): Record<(typeof UNDO_COLUMNS)[number], unknown> {
    return { _id: user.id, username: user.username, name: user.name, lastLogin: user.lastLogin, createdAt: user.createdAt, roles: user.roles ?? [] };
}
