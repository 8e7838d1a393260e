import type { Directory } from '../core/directory';
import type { UserRecord } from '../core/record';

/** One change to the directory, as instances tell each other. */
export type Change =
    | { op: 'upsert'; record: UserRecord }
    /** Some fields of a known user (presence events carry only these). */
    | { op: 'patch'; id: string; fields: Partial<UserRecord> }
    | { op: 'remove'; id: string };

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
