import { grownCapacity } from '../../src/core/growth';
import { IdIndex } from '../../src/core/idIndex';
import { prng } from '../../host';

/** The index over an ids column, as the directory keeps it: slots are reused once freed. */
function indexedColumn() {
    const ids: Array<string | undefined> = [];
    const free: number[] = [];
    const index = new IdIndex((slot) => ids[slot]);
    return {
        index,
        add(id: string) {
            const slot = free.pop() ?? ids.length;
            index.add(id, slot);
            ids[slot] = id;
        },
        remove(id: string) {
            const slot = index.get(id) as number;
            index.delete(id, slot);
            ids[slot] = undefined;
            free.push(slot);
        },
        slotOf: (id: string) => index.get(id),
        idAt: (slot: number) => ids[slot],
    };
}

describe('IdIndex', () => {
    it('finds every id after random adds and removals, as a Map would, through growth and reused slots', () => {
        const next = prng(7);
        const column = indexedColumn();
        const present = new Set<string>();
        const everSeen: string[] = [];
        for (let step = 0; step < 60_000; step++) {
            const removing = present.size > 0 && next() < 0.4;
            if (removing) {
                const id = everSeen[Math.floor(next() * everSeen.length)];
                if (present.has(id)) {
                    column.remove(id);
                    present.delete(id);
                }
            } else {
                // Short ids collide in a small table; some come back after being removed.
                const id =
                    next() < 0.2 && everSeen.length > 0 ? everSeen[Math.floor(next() * everSeen.length)] : `u${Math.floor(next() * 40_000).toString(36)}`;
                if (!present.has(id)) {
                    column.add(id);
                    present.add(id);
                    everSeen.push(id);
                }
            }
        }
        expect(column.index.size).toBe(present.size);
        for (const id of new Set(everSeen)) {
            const slot = column.slotOf(id);
            if (present.has(id)) expect(slot !== undefined && column.idAt(slot)).toBe(id);
            else expect(slot).toBeUndefined();
        }
        expect(column.slotOf('never-added')).toBeUndefined();
    });

    it('takes out only the entry of the slot given, when two ids share a probe sequence', () => {
        const column = indexedColumn();
        const ids = Array.from({ length: 200 }, (_, i) => `id-${i}`);
        ids.forEach((id) => column.add(id));
        ids.filter((_, i) => i % 2 === 0).forEach((id) => column.remove(id));
        ids.forEach((id, i) => expect(column.slotOf(id) === undefined).toBe(i % 2 === 0));
        expect(column.index.size).toBe(100);
    });

    it('finds ids that differ only past their first characters, and ids of other alphabets', () => {
        const column = indexedColumn();
        const ids = ['aaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaab', 'GENERAL', 'rocket.cat', '用户一', '😀x', ''];
        ids.forEach((id) => column.add(id));
        ids.forEach((id) => expect(column.idAt(column.slotOf(id) as number)).toBe(id));
    });
});

describe('grownCapacity', () => {
    it('doubles small arrays and grows big ones by a quarter', () => {
        expect(grownCapacity(0)).toBe(64);
        expect(grownCapacity(1000)).toBe(2000);
        expect(grownCapacity(65_536)).toBe(81_920);
        expect(grownCapacity(100_000)).toBe(125_000);
    });
});
