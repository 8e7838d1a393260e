import { Flag, UserColumns } from './columns';
import { IdIndex } from './idIndex';
import { Job, RunInSteps, runNow } from './job';
import type { UserRecord } from './record';
import { SearchIndex } from './search';
import { orderId, SortedOrder, SortKey } from './sortOrder';

export { Flag } from './columns';

/**
 * The app's own copy of the workspace's users, laid out for fast queries.
 *
 * Every user has a slot: an index into compact columns (see columns.ts) that
 * filters scan in memory order, narrowing a bitmap of slots. Sort orders are
 * arrays of slots (sortOrder.ts), built on first use and kept sorted through
 * changes; searches read texts built once (search.ts). A query is one scan of
 * the columns and one walk of an order over the bitmap; records are built only
 * for the page returned.
 */

/** Narrows a bitmap of slots (1 = still a match) to those that pass. `key` identifies it for the result cache. */
export interface Filter {
    readonly key: string;
    narrow(columns: DirectoryColumns, matches: Uint8Array): void;
}

export interface Selection {
    /** The requested page, in order. */
    records: UserRecord[];
    /** Every match, ignoring the page. */
    total: number;
}

/** What filters read: per-slot columns, without building records. */
export interface DirectoryColumns {
    readonly flags: Uint16Array;
    readonly typeCodes: Uint32Array;
    readonly roleCodes: Uint32Array;
    /** One field of a slot's user, as its record holds it; shared values must not be changed. */
    field(slot: number, field: string): unknown;
    /** `field` for one field, faster, for scans. */
    reader(field: string): (slot: number) => unknown;
    /** For some paths: the values each slot reaches as a code (NOT_CODED: test the slot itself) and each code's values. */
    pathCodes(path: readonly string[]): { codes: Uint32Array; reached: (code: number) => readonly unknown[] } | undefined;
    record(slot: number): UserRecord;
    slotOf(id: string): number | undefined;
    /** By role-list code: 1 when the list holds any of the roles. */
    roleListsWithAny(roles: readonly string[]): Uint8Array;
    typeCode(type: string): number | undefined;
    /** Slots whose username or name (and emails, when asked) contain the lower-cased text: a bitmap the next search fills again. */
    searchHits(needle: string, includeEmails: boolean): Uint8Array;
}

export interface DirectoryOptions {
    /**
     * Builds, off the request path, the order of a sort that a request met
     * without one (its page was picked without it). Without it, such orders
     * are built only by `prepare` or when a request needs the whole order.
     */
    runInSteps?: RunInSteps;
}

const MAX_CACHED_ORDERS = 8;
const MAX_CACHED_RESULTS = 16;
/** Up to this many matches, a sort without a built order sorts just them. */
const SORT_MATCHES_ALONE = 20_000;
/** Beyond that, a sort without a built order picks the matches up to this far in the list, without sorting all. */
const FIRST_PAGES = 1_000;

export class Directory implements DirectoryColumns {
    private readonly users = new UserColumns();
    private readonly slotById = new IdIndex((slot) => this.users.ids[slot]);
    private readonly freeSlots: number[] = [];
    /** Slots ever used: every scan stops here. */
    private slotCount = 0;
    private readonly orders = new Map<string, SortedOrder>();
    private readonly results = new Map<string, { version: number; matches: Uint8Array; total: number }>();
    private readonly search = new SearchIndex({
        users: this.users,
        isLive: (slot) => this.isLive(slot),
        liveSlots: () => this.liveSlots(),
    });
    private version = 0;
    /** Orders being built in the background, each with the slots changed meanwhile (placed again once it is built). */
    private readonly building = new Map<string, Set<number>>();

    constructor(
        records: Iterable<UserRecord> = [],
        private readonly options: DirectoryOptions = {},
    ) {
        for (const record of records) {
            this.upsert(record);
        }
    }
    get size(): number {
        return this.slotById.size;
    }

    get flags(): Uint16Array {
        return this.users.flags;
    }

    get typeCodes(): Uint32Array {
        return this.users.typeCodes;
    }

    get roleCodes(): Uint32Array {
        return this.users.roleCodes;
    }

    get(id: string): UserRecord | undefined {
        const slot = this.slotById.get(id);
        return slot === undefined ? undefined : this.users.record(slot);
    }

    has(id: string): boolean {
        return this.slotById.get(id) !== undefined;
    }

    slotOf(id: string): number | undefined {
        return this.slotById.get(id);
    }

    /** Every user's id, without building records. */
    *ids(): IterableIterator<string> {
        for (let slot = 0; slot < this.slotCount; slot++) {
            if (this.isLive(slot)) yield this.users.ids[slot] as string;
        }
    }

    /** Every user as a record, built one at a time. */
    *records(): IterableIterator<UserRecord> {
        for (let slot = 0; slot < this.slotCount; slot++) {
            if (this.isLive(slot)) yield this.users.record(slot);
        }
    }

    record(slot: number): UserRecord {
        return this.users.record(slot);
    }

    field(slot: number, field: string): unknown {
        return this.users.field(slot, field);
    }

    reader(field: string): (slot: number) => unknown {
        return this.users.reader(field);
    }

    /** A date of a slot's user as a time in ms (NaN when missing), without making its ISO text. */
    time(slot: number, field: 'lastLogin' | 'createdAt' | '_updatedAt'): number {
        const value = this.users.sortField(slot, field);
        return typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
    }

    pathCodes(path: readonly string[]): { codes: Uint32Array; reached: (code: number) => readonly unknown[] } | undefined {
        return this.users.pathCodes(path);
    }

    roleListsWithAny(roles: readonly string[]): Uint8Array {
        const lists = this.users.roleLists.values;
        const wanted = new Uint8Array(lists.length);
        lists.forEach((list, code) => {
            if (list && roles.some((role) => list.includes(role))) wanted[code] = 1;
        });
        return wanted;
    }

    typeCode(type: string): number | undefined {
        return this.users.types.find(type);
    }

    searchHits(needle: string, includeEmails: boolean): Uint8Array {
        return this.search.hits(needle, includeEmails, this.slotCount);
    }

    private isLive(slot: number): boolean {
        return (this.users.flags[slot] & Flag.LIVE) !== 0;
    }

    /** Live slots in slot order. */
    private liveSlots(): Int32Array {
        const live = new Int32Array(this.slotById.size);
        let count = 0;
        for (let slot = 0; slot < this.slotCount; slot++) {
            if (this.isLive(slot)) live[count++] = slot;
        }
        return live;
    }

    upsert(record: UserRecord): void {
        let slot = this.slotById.get(record._id);
        const known = slot !== undefined;
        if (slot === undefined) {
            slot = this.freeSlots.pop() ?? this.slotCount++;
            this.slotById.add(record._id, slot);
        } else {
            this.orders.forEach((order) => order.remove(slot as number));
        }
        const wordsBefore = known ? this.search.wordsOf(slot) : undefined;
        this.users.write(slot, record);
        this.changed(slot);
        this.search.changed(slot, wordsBefore);
        this.orders.forEach((order) => order.insert(slot));
    }

    remove(id: string): boolean {
        const slot = this.slotById.get(id);
        if (slot === undefined) {
            return false;
        }
        this.orders.forEach((order) => order.remove(slot));
        this.slotById.delete(id, slot);
        this.users.clear(slot);
        this.changed(slot);
        this.search.changed(slot);
        this.freeSlots.push(slot);
        return true;
    }

    private changed(slot: number): void {
        this.version++;
        this.building.forEach((changed) => changed.add(slot));
    }

    /** Builds an order in steps, off the request path; the slots changed meanwhile are placed again at the end. */
    private buildInBackground(sort: readonly SortKey[]): void {
        const id = orderId(sort);
        const runInSteps = this.options.runInSteps;
        if (!runInSteps || this.building.has(id)) {
            return;
        }
        const changed = new Set<number>();
        this.building.set(id, changed);
        runInSteps(SortedOrder.build(sort, this.users, this.liveSlots()))
            .then((order) => {
                changed.forEach((slot) => order.removeAnywhere(slot));
                changed.forEach((slot) => this.isLive(slot) && order.insert(slot));
                this.keepOrder(id, order);
            })
            .catch(() => undefined) // without it, the next request picks its page again
            .finally(() => this.building.delete(id));
    }

    /**
     * One page of the users that pass every filter, in the order of `sort`,
     * and how many pass in all. Filters run cheapest first; the bitmap they
     * leave is cached until the directory changes.
     */
    select(sort: readonly SortKey[], filters: readonly Filter[], offset: number, count: number): Selection {
        const end = offset + count;
        if (filters.length === 0) {
            const order = this.order(sort);
            const records: UserRecord[] = [];
            for (let i = offset; i < order.length && i < end; i++) {
                records.push(this.users.record(order.at(i)));
            }
            return { records, total: order.length };
        }
        const { matches, total } = this.matches(filters);
        const id = orderId(sort);
        if (!this.orders.has(id) && (total <= SORT_MATCHES_ALONE || end <= FIRST_PAGES)) {
            // No order built for this sort yet: sorting a few matches, or picking the first pages of many,
            // costs less than building it. It is built in the background for the next requests.
            if (total > SORT_MATCHES_ALONE) this.buildInBackground(sort);
            const found = new Int32Array(total);
            let next = 0;
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] === 1) found[next++] = slot;
            }
            const sorted =
                total <= SORT_MATCHES_ALONE ? runNow(SortedOrder.build(sort, this.users, found)).slots() : SortedOrder.first(sort, this.users, found, end);
            const records: UserRecord[] = [];
            for (let i = offset; i < sorted.length && i < end; i++) {
                records.push(this.users.record(sorted[i]));
            }
            return { records, total };
        }
        const order = this.order(sort);
        const records: UserRecord[] = [];
        let seen = 0;
        for (let i = 0; i < order.length && seen < end; i++) {
            const slot = order.at(i);
            if (matches[slot] === 1) {
                if (seen >= offset) {
                    records.push(this.users.record(slot));
                }
                seen++;
            }
        }
        return { records, total };
    }

    /** Whether the order of this sort is built (else a request sorts its matches, or picks its page). */
    hasOrder(sort: readonly SortKey[]): boolean {
        return this.orders.has(orderId(sort));
    }

    /** Builds these sort orders (in practice COMMON_SORTS) and the search texts ahead of time: off the request path. */
    prepare(sorts: ReadonlyArray<readonly SortKey[]>): void {
        runNow(this.preparation(sorts));
    }

    /** `prepare` as a job in steps, for the upkeep to run while it lets other work through. */
    *preparation(sorts: ReadonlyArray<readonly SortKey[]>): Job<void> {
        const version = this.version;
        for (const sort of sorts) {
            const id = orderId(sort);
            if (!this.orders.has(id)) {
                const order = yield* SortedOrder.build(sort, this.users, this.liveSlots());
                // A change while the order was built makes it stale: it is built again on first use.
                if (version === this.version) this.keepOrder(id, order);
            }
        }
        if (!this.search.isBuilt) {
            const texts = yield* this.search.build();
            if (version === this.version) this.search.keep(texts);
        }
    }

    /** The users that pass every filter, as a bitmap of slots (1 = a match), cached until the directory changes: what `select` pages through. */
    matches(filters: readonly Filter[]): { matches: Uint8Array; total: number } {
        const key = filters.map((filter) => filter.key).join('&');
        const cached = this.results.get(key);
        if (cached && cached.version === this.version) {
            return cached;
        }
        // A bitmap the cache lets go of (stale, or the oldest) is filled again rather than a new one allocated:
        // the runtime's allocator keeps the peak of a burst of such buffers long after they are garbage.
        this.results.delete(key);
        let spare = cached?.matches;
        if (this.results.size >= MAX_CACHED_RESULTS) {
            const oldest = this.results.keys().next().value as string;
            spare ??= this.results.get(oldest)?.matches;
            this.results.delete(oldest);
        }
        const matches = spare?.length === this.slotCount ? spare : new Uint8Array(this.slotCount);
        const flags = this.users.flags;
        for (let slot = 0; slot < matches.length; slot++) {
            matches[slot] = flags[slot] & Flag.LIVE ? 1 : 0;
        }
        filters.forEach((filter) => filter.narrow(this, matches));
        let total = 0;
        for (let slot = 0; slot < matches.length; slot++) {
            total += matches[slot];
        }
        const result = { version: this.version, matches, total };
        this.results.set(key, result);
        return result;
    }

    private order(sort: readonly SortKey[]): SortedOrder {
        const id = orderId(sort);
        const order = this.orders.get(id) ?? runNow(SortedOrder.build(sort, this.users, this.liveSlots()));
        this.keepOrder(id, order);
        return order;
    }

    /** Keeps an order as the most recently used, dropping the least recently used beyond the limit. */
    private keepOrder(id: string, order: SortedOrder): void {
        this.orders.delete(id);
        if (this.orders.size >= MAX_CACHED_ORDERS) {
            this.orders.delete(this.orders.keys().next().value as string);
        }
        this.orders.set(id, order);
    }
}
