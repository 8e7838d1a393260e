import type { Change } from '../cluster/changes';
import type { UserRecord } from '../core/record';

/** Fields a presence event changes, without Rocket.Chat touching the user's `_updatedAt`. */
const PRESENCE_FIELDS = ['status', 'statusText'] as const;

/** How long the moments of recent changes are remembered: longer than any read in flight or feed replay. */
export const ORDER_WINDOW_MS = 10 * 60_000;

interface Marks {
    /** The latest moment a whole record of the user was true (an event's user, a read). */
    whole?: number;
    /** The latest moment of a presence change. */
    presence?: number;
    /** When the user was removed. */
    removed?: number;
    touchedAt: number;
}

/**
 * Orders what arrives about a user by when it was true, not by when it
 * arrived: a read issued before a change that arrives after it must not undo
 * it (a read-back after an update, a member list read while a presence
 * change came in).
 *
 * - A whole record with an older `_updatedAt` than the one held is an older
 *   version of the user: dropped.
 * - Otherwise a change's `asOf` (when it was true: the event's moment, when
 *   the read was issued) is compared with the latest moment seen for what it
 *   touches. Presence does not move Rocket.Chat's `_updatedAt`, so it has its
 *   own moment: a whole record older than the last presence change keeps the
 *   presence it holds and takes the rest.
 * - A removal wins over whatever was true before it.
 *
 * Changes without `asOf` (older instances' feed entries) apply as they come.
 * Moments are remembered for ORDER_WINDOW_MS only.
 */
export class ChangeOrder {
    private readonly marks = new Map<string, Marks>();

    constructor(private readonly now: () => number) {}

    /** The change to apply given the record held, possibly narrowed; undefined when it is older than what is known. */
    admit(current: UserRecord | undefined, change: Change): Change | undefined {
        const asOf = change.asOf;
        const id = change.op === 'upsert' ? change.record._id : change.id;
        const marks = this.marks.get(id);
        switch (change.op) {
            case 'upsert': {
                const record = change.record;
                if (current?._updatedAt && record._updatedAt && record._updatedAt < current._updatedAt) {
                    return undefined;
                }
                if (asOf === undefined) return change;
                const newerDocument = !!current?._updatedAt && !!record._updatedAt && record._updatedAt > current._updatedAt;
                // Rocket.Chat never reuses a user's id: a read of the same moment as the removal does not bring it back.
                if (marks?.removed !== undefined && asOf <= marks.removed) return undefined;
                if (!newerDocument && marks?.whole !== undefined && asOf < marks.whole) return undefined;
                this.mark(id, 'whole', asOf);
                if (current && marks?.presence !== undefined && asOf < marks.presence) {
                    return { ...change, record: withPresenceOf(record, current) };
                }
                return change;
            }
            case 'patch': {
                if (asOf === undefined) return change;
                if ([marks?.whole, marks?.presence, marks?.removed].some((moment) => moment !== undefined && asOf < moment)) {
                    return undefined;
                }
                this.mark(id, 'presence', asOf);
                return change;
            }
            case 'remove':
                if (asOf !== undefined) this.mark(id, 'removed', asOf);
                return change;
        }
    }

    /** Forgets moments older than the window. */
    prune(): void {
        const oldest = this.now() - ORDER_WINDOW_MS;
        for (const [id, marks] of this.marks) {
            if (marks.touchedAt < oldest) this.marks.delete(id);
        }
    }

    get size(): number {
        return this.marks.size;
    }

    private mark(id: string, kind: 'whole' | 'presence' | 'removed', asOf: number): void {
        const marks = this.marks.get(id) ?? { touchedAt: 0 };
        marks[kind] = Math.max(marks[kind] ?? asOf, asOf);
        marks.touchedAt = this.now();
        this.marks.set(id, marks);
    }
}

function withPresenceOf(record: UserRecord, current: UserRecord): UserRecord {
    const merged: UserRecord = { ...record };
    for (const field of PRESENCE_FIELDS) {
        if (current[field] === undefined) delete merged[field];
        else merged[field] = current[field];
    }
    return merged;
}
