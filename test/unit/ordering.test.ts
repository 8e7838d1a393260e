import { applyChange, Change } from '../../src/cluster/changes';
import { Directory } from '../../src/core/directory';
import type { UserRecord } from '../../src/core/record';
import { ChangeOrder, ORDER_WINDOW_MS } from '../../src/upkeep/ordering';
import { rec } from './fixtures';

/** A directory that applies what arrives through a ChangeOrder, in the order given. */
function receive(changes: Change[], start: UserRecord[] = [], clock = { time: 0 }): Directory {
    const directory = new Directory(start);
    const order = new ChangeOrder(() => clock.time);
    for (const change of changes) {
        const admitted = order.admit(directory.get(change.op === 'upsert' ? change.record._id : change.id), change);
        if (admitted) applyChange(directory, admitted);
    }
    return directory;
}

const ann = (fields: Partial<UserRecord>) => rec({ _id: 'ann', username: 'ann', status: 'online', active: true, ...fields });

/** Every order of arrival of the given changes. */
function permutations<T>(items: T[]): T[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('ChangeOrder: what arrives is ordered by when it was true', () => {
    it('a read-back issued before a presence change that arrives after it keeps the newer presence and takes the rest (the load-test defect)', () => {
        const updateEvent: Change = { op: 'upsert', record: ann({ name: 'Ann', _updatedAt: '2026-01-01T00:00:01.000Z' }), asOf: 1000 };
        const readBack: Change = { op: 'upsert', record: ann({ name: 'Ann', active: false, _updatedAt: '2026-01-01T00:00:01.100Z' }), asOf: 1150 };
        const presence: Change = { op: 'patch', id: 'ann', fields: { status: 'busy', statusText: 'in a call' }, asOf: 1160 };
        // The read-back was issued at 1150, the presence changed at 1160, but the read-back arrives last.
        for (const arrival of permutations([updateEvent, readBack, presence])) {
            const directory = receive(arrival, [ann({})]);
            expect(directory.get('ann')).toMatchObject({ status: 'busy', statusText: 'in a call', active: false });
        }
    });

    it('an older version of the user (by _updatedAt) never replaces a newer one, whatever the moments of the reads', () => {
        const newer: Change = { op: 'upsert', record: ann({ name: 'New', _updatedAt: '2026-01-01T00:00:05.000Z' }), asOf: 100 };
        const older: Change = { op: 'upsert', record: ann({ name: 'Old', _updatedAt: '2026-01-01T00:00:04.000Z' }), asOf: 200 };
        for (const arrival of permutations([newer, older])) {
            expect(receive(arrival).get('ann')?.name).toBe('New');
        }
    });

    it('without _updatedAt, the later moment wins: a read issued before an event does not undo it', () => {
        const event: Change = { op: 'upsert', record: ann({ name: 'From the event' }), asOf: 500 };
        const read: Change = { op: 'upsert', record: ann({ name: 'From a read' }), asOf: 400 };
        for (const arrival of permutations([event, read])) {
            expect(receive(arrival).get('ann')?.name).toBe('From the event');
        }
    });

    it('a presence change older than a whole read is dropped; a newer one applies', () => {
        const read: Change = { op: 'upsert', record: ann({ status: 'away' }), asOf: 300 };
        const before: Change = { op: 'patch', id: 'ann', fields: { status: 'busy' }, asOf: 250 };
        const after: Change = { op: 'patch', id: 'ann', fields: { status: 'offline' }, asOf: 350 };
        expect(receive([read, before]).get('ann')?.status).toBe('away');
        for (const arrival of permutations([read, before, after])) {
            expect(receive(arrival, [ann({})]).get('ann')?.status).toBe('offline');
        }
    });

    it('a removal is not undone by a read issued before it or at the same moment', () => {
        const removal: Change = { op: 'remove', id: 'ann', asOf: 700 };
        for (const asOf of [600, 700]) {
            const read: Change = { op: 'upsert', record: ann({}), asOf };
            for (const arrival of permutations([removal, read])) {
                expect(receive(arrival, [ann({})]).has('ann')).toBe(false);
            }
        }
    });

    it('changes without a moment (an older instance) apply as they arrive', () => {
        const first: Change = { op: 'upsert', record: ann({ name: 'First' }), asOf: 900 };
        const unstamped: Change = { op: 'upsert', record: ann({ name: 'Unstamped' }) };
        expect(receive([first, unstamped]).get('ann')?.name).toBe('Unstamped');
    });

    it('forgets moments once they are older than the window', () => {
        const clock = { time: 0 };
        const order = new ChangeOrder(() => clock.time);
        order.admit(undefined, { op: 'upsert', record: ann({}), asOf: 10 });
        clock.time = ORDER_WINDOW_MS - 1;
        order.prune();
        expect(order.size).toBe(1);
        clock.time = ORDER_WINDOW_MS + 1;
        order.prune();
        expect(order.size).toBe(0);
    });
});
