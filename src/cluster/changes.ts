import type { Directory } from '../core/directory';
import type { UserRecord } from '../core/record';

/**
 * One change to the directory, as instances tell each other. `asOf` is when
 * it was true (the event's moment, or when the read that found it was
 * issued), in ms; entries written before it existed lack it and apply as
 * they come.
 */
export type Change = (
    | { op: 'upsert'; record: UserRecord }
    /** Some fields of a known user (presence events carry only these). */
    | { op: 'patch'; id: string; fields: Partial<UserRecord> }
    | { op: 'remove'; id: string }
) & { asOf?: number };

export function applyChange(directory: Directory, change: Change): void {
    switch (change.op) {
        case 'upsert':
            directory.upsert(change.record);
            return;
        case 'patch': {
            const record = directory.get(change.id);
            if (record) {
                directory.upsert({ ...record, ...change.fields });
            }
            return;
        }
        case 'remove':
            directory.remove(change.id);
    }
}

export const changedUserId = (change: Change): string => (change.op === 'upsert' ? change.record._id : change.id);
