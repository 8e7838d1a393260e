import type { UserColumns } from './columns';
import { compareStrings, compareValues, sortValue } from './compare';
import { grownCapacity } from './growth';
import { Job, runNow, STEP } from './job';
import type { Direction } from './params';

/** Sort orders: arrays of slots, built in steps and kept sorted through changes. */

export interface SortKey {
    readonly path: readonly string[];
    readonly direction: Direction;
}

/** The orders most requests use (users.list by username, livechat by name): built with the directory. */
export const COMMON_SORTS: ReadonlyArray<readonly SortKey[]> = [[{ path: ['username'], direction: 1 }], [{ path: ['name'], direction: 1 }]];

/** Names a sort: equal sorts, equal ids. */
export const orderId = (sort: readonly SortKey[]) => sort.map(({ path, direction }) => `${path.join('.')}:${direction}`).join(',');

/** Sorts slots with a merge sort in steps: runs of STEP sorted natively, then merged. */
function* sortSlots(slots: Int32Array, compare: (a: number, b: number) => number): Job<Int32Array> {
    for (let start = 0; start < slots.length; start += STEP) {
        const run = Array.from(slots.subarray(start, start + STEP)).sort(compare);
        slots.set(run, start);
        yield;
    }
    let from: Int32Array = slots;
    let to: Int32Array = new Int32Array(slots.length);
    for (let width = STEP; width < slots.length; width *= 2) {
        for (let start = 0; start < slots.length; start += 2 * width) {
            const middle = Math.min(start + width, slots.length);
            const end = Math.min(start + 2 * width, slots.length);
            let left = start;
            let right = middle;
            for (let out = start; out < end; out++) {
                to[out] = right >= end || (left < middle && compare(from[left], from[right]) <= 0) ? from[left++] : from[right++];
                if (out % STEP === 0) yield;
            }
        }
        [from, to] = [to, from];
    }
    return from;
}

/** One sort order over all live slots; ties broken by `_id`, so the order is total and pages never overlap. */
export class SortedOrder {
    private constructor(
        private readonly spec: readonly SortKey[],
        private readonly users: UserColumns,
        private sorted: Int32Array,
        private count: number,
    ) {}

    static *build(spec: readonly SortKey[], users: UserColumns, live: Int32Array): Job<SortedOrder> {
        const compare = yield* comparison(spec, users, live);
        const sorted = yield* sortSlots(live, compare);
        return new SortedOrder(spec, users, sorted, sorted.length);
    }

    /** The first `count` of the slots in this order, without sorting the rest. */
    static first(spec: readonly SortKey[], users: UserColumns, slots: Int32Array, count: number): number[] {
        const compare = runNow(comparison(spec, users, slots));
        const best: number[] = [];
        for (let i = 0; i < slots.length; i++) {
            const slot = slots[i];
            if (best.length === count && compare(slot, best[count - 1]) >= 0) continue;
            let low = 0;
            let high = best.length;
            while (low < high) {
                const middle = (low + high) >>> 1;
                if (compare(best[middle], slot) < 0) low = middle + 1;
                else high = middle;
            }
            best.splice(low, 0, slot);
            if (best.length > count) best.pop();
        }
        return best;
    }

    /** The slots in order. */
    slots(): Int32Array {
        return this.sorted.subarray(0, this.count);
    }

    get length(): number {
        return this.count;
    }

    at(index: number): number {
        return this.sorted[index];
    }

    insert(slot: number): void {
        const index = this.search(slot);
        if (this.count === this.sorted.length) {
            const wider = new Int32Array(grownCapacity(this.count));
            wider.set(this.sorted);
            this.sorted = wider;
        }
        this.sorted.copyWithin(index + 1, index, this.count);
        this.sorted[index] = slot;
        this.count++;
    }

    /** Takes out a slot wherever it is (its sort values may have changed since it was placed). */
    removeAnywhere(slot: number): void {
        const index = this.sorted.subarray(0, this.count).indexOf(slot);
        if (index >= 0) {
            this.sorted.copyWithin(index, index + 1, this.count);
            this.count--;
        }
    }

    /** Call while the slot still holds the user being removed. */
    remove(slot: number): void {
        const index = this.search(slot);
        if (index < this.count && this.sorted[index] === slot) {
            this.sorted.copyWithin(index, index + 1, this.count);
            this.count--;
        }
    }

    private compare(slotA: number, slotB: number): number {
        for (const key of this.spec) {
            const order = compareValues(sortValueOf(this.users, slotA, key), sortValueOf(this.users, slotB, key));
            if (order !== 0) {
                return order * key.direction;
            }
        }
        return compareStrings(this.users.ids[slotA] as string, this.users.ids[slotB] as string);
    }

    /** The first index whose slot does not sort before the given one. */
    private search(slot: number): number {
        let low = 0;
        let high = this.count;
        while (low < high) {
            const middle = (low + high) >>> 1;
            if (this.compare(this.sorted[middle], slot) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}

const HIGH_UNIT = /[\uD800-\uFFFF]/;

/**
 * A faster comparison of slots by one column of sort values, when it holds
 * only missing values and strings below U+D800 (where code-unit order is
 * code-point order, so the engine's own comparison is right), or only
 * missing values and numbers: MongoDB's order for such values.
 */
function plainOrder(column: readonly unknown[], live: Int32Array): ((a: number, b: number) => number) | undefined {
    let strings = true;
    let numbers = true;
    for (let i = 0; i < live.length && (strings || numbers); i++) {
        const value = column[live[i]];
        if (value === undefined) continue;
        strings &&= typeof value === 'string' && !HIGH_UNIT.test(value);
        numbers &&= typeof value === 'number' && !Number.isNaN(value);
    }
    if (!strings && !numbers) {
        return undefined;
    }
    return (a, b) => {
        const x = column[a] as string | number | undefined;
        const y = column[b] as string | number | undefined;
        if (x === y) return 0;
        if (x === undefined) return -1;
        if (y === undefined) return 1;
        return x < y ? -1 : 1;
    };
}

/** A comparison of slots by the sort keys, then `_id`; each slot's sort values are read once, in steps. */
function* comparison(spec: readonly SortKey[], users: UserColumns, slots: Int32Array): Job<(a: number, b: number) => number> {
    const values = spec.map(() => new Array<unknown>(users.capacity));
    for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        spec.forEach((key, k) => (values[k][slot] = sortValueOf(users, slot, key)));
        if (i % STEP === 0) yield;
    }
    const keyOrders = values.map((column) => plainOrder(column, slots) ?? ((a: number, b: number) => compareValues(column[a], column[b])));
    const ids = users.ids as string[];
    const idOrder = plainOrder(ids, slots) ?? ((a: number, b: number) => compareStrings(ids[a], ids[b]));
    return (a, b) => {
        for (let k = 0; k < spec.length; k++) {
            const order = keyOrders[k](a, b);
            if (order !== 0) return order * spec[k].direction;
        }
        return idOrder(a, b);
    };
}

function sortValueOf(users: UserColumns, slot: number, { path, direction }: SortKey): unknown {
    const value = users.sortField(slot, path[0]);
    return path.length === 1 && !Array.isArray(value) ? value : sortValue({ [path[0]]: value }, path, direction);
}
