import { compareStrings, compareValues, sortValue } from './compare';
import type { Direction } from './params';
import type { UserRecord } from './record';

/** A user held by the directory, with what searching it needs computed once. */
export interface DirectoryEntry {
    readonly record: UserRecord;
    readonly usernameLower: string;
    readonly nameLower: string;
    readonly emailsLower: readonly string[];
}

export type EntryTest = (entry: DirectoryEntry) => boolean;

export interface SortKey {
    readonly path: readonly string[];
    readonly direction: Direction;
}

export interface Selection {
    /** The requested page, in order. */
    entries: DirectoryEntry[];
    /** Every match, ignoring the page. */
    total: number;
}

const MAX_CACHED_ORDERS = 8;

function toEntry(record: UserRecord): DirectoryEntry {
    return {
        record,
        usernameLower: (record.username ?? '').toLowerCase(),
        nameLower: (record.name ?? '').toLowerCase(),
        emailsLower: (record.emails ?? []).map((email) => email.address.toLowerCase()),
    };
}

/**
 * All users in one sort order, ties broken by `_id` so that the order is
 * total and pages never overlap or skip. Kept up to date entry by entry (a
 * binary search and a splice) so that a change does not cost a re-sort.
 */
class SortedOrder {
    private readonly entries: DirectoryEntry[];
    private readonly keys: unknown[][];

    constructor(private readonly spec: readonly SortKey[], all: Iterable<DirectoryEntry>) {
        const keyed = Array.from(all, (entry) => ({ entry, key: this.keyOf(entry) }));
        keyed.sort((a, b) => this.compare(a.key, a.entry, b.key, b.entry));
        this.entries = keyed.map((item) => item.entry);
        this.keys = keyed.map((item) => item.key);
    }

    get all(): readonly DirectoryEntry[] {
        return this.entries;
    }

    insert(entry: DirectoryEntry): void {
        const key = this.keyOf(entry);
        const index = this.search(key, entry);
        this.entries.splice(index, 0, entry);
        this.keys.splice(index, 0, key);
    }

    remove(entry: DirectoryEntry): void {
        const index = this.search(this.keyOf(entry), entry);
        if (this.entries[index] === entry) {
            this.entries.splice(index, 1);
            this.keys.splice(index, 1);
        }
    }

    private keyOf(entry: DirectoryEntry): unknown[] {
        return this.spec.map(({ path, direction }) => sortValue(entry.record, path, direction));
    }

    private compare(keyA: unknown[], a: DirectoryEntry, keyB: unknown[], b: DirectoryEntry): number {
        for (let i = 0; i < this.spec.length; i++) {
            const order = compareValues(keyA[i], keyB[i]);
            if (order !== 0) {
                return order * this.spec[i].direction;
            }
        }
        return compareStrings(a.record._id, b.record._id);
    }

    /** The first index whose entry does not sort before the given one. */
    private search(key: unknown[], entry: DirectoryEntry): number {
        let low = 0;
        let high = this.entries.length;
        while (low < high) {
            const middle = (low + high) >>> 1;
            if (this.compare(this.keys[middle], this.entries[middle], key, entry) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}

/**
 * The app's own copy of the workspace's users, in the form the queries need:
 * records in Rocket.Chat's shape, pre-lowered search keys, and sort orders
 * computed on first use and then maintained.
 */
export class Directory {
    private readonly byId = new Map<string, DirectoryEntry>();
    private readonly orders = new Map<string, SortedOrder>();

    constructor(records: Iterable<UserRecord> = []) {
        for (const record of records) {
            this.byId.set(record._id, toEntry(record));
        }
    }

    get size(): number {
        return this.byId.size;
    }

    get(id: string): UserRecord | undefined {
        return this.byId.get(id)?.record;
    }

    *records(): IterableIterator<UserRecord> {
        for (const entry of this.byId.values()) {
            yield entry.record;
        }
    }

    has(id: string): boolean {
        return this.byId.has(id);
    }

    upsert(record: UserRecord): void {
        this.remove(record._id);
        const entry = toEntry(record);
        this.byId.set(record._id, entry);
        for (const order of this.orders.values()) {
            order.insert(entry);
        }
    }

    remove(id: string): boolean {
        const entry = this.byId.get(id);
        if (!entry) {
            return false;
        }
        this.byId.delete(id);
        for (const order of this.orders.values()) {
            order.remove(entry);
        }
        return true;
    }

    /**
     * One page of the entries that pass `test`, in the order of `sort`, and
     * how many pass in all. One pass over the users, no copies of records.
     */
    select(sort: readonly SortKey[], test: EntryTest | undefined, offset: number, count: number): Selection {
        const ordered = this.order(sort).all;
        if (!test) {
            return { entries: ordered.slice(offset, offset + count), total: ordered.length };
        }
        const entries: DirectoryEntry[] = [];
        const end = offset + count;
        let total = 0;
        for (let i = 0; i < ordered.length; i++) {
            const entry = ordered[i];
            if (test(entry)) {
                if (total >= offset && total < end) {
                    entries.push(entry);
                }
                total++;
            }
        }
        return { entries, total };
    }

    /** Builds the orders most requests use ahead of time, off the request path. */
    prepareOrders(sorts: ReadonlyArray<readonly SortKey[]>): void {
        sorts.forEach((sort) => this.order(sort));
    }

    private order(sort: readonly SortKey[]): SortedOrder {
        const id = sort.map(({ path, direction }) => `${path.join('.')}:${direction}`).join(',');
        let order = this.orders.get(id);
        if (order) {
            this.orders.delete(id); // re-inserted below: the map's order is the recency order
        } else {
            order = new SortedOrder(sort, this.byId.values());
            if (this.orders.size >= MAX_CACHED_ORDERS) {
                this.orders.delete(this.orders.keys().next().value as string);
            }
        }
        this.orders.set(id, order);
        return order;
    }
}
