import { UserColumns, Flag } from './columns';
import { compareStrings, compareValues, sortValue } from './compare';
import type { Direction } from './params';
import type { UserRecord } from './record';

export { Flag } from './columns';

/**
 * The app's own copy of the workspace's users, laid out for fast queries.
 *
 * Every user has a slot: an index into compact columns (see columns.ts) that
 * filters scan in memory order, narrowing a bitmap of slots. Sort orders are
 * arrays of slots, built on first use and kept sorted through changes. A query
 * is one scan of the columns and one walk of an order over the bitmap; records
 * are built only for the page returned.
 */

export interface SortKey {
    readonly path: readonly string[];
    readonly direction: Direction;
}

/** The orders most requests use (users.list by username, livechat by name): built with the directory. */
export const COMMON_SORTS: ReadonlyArray<readonly SortKey[]> = [[{ path: ['username'], direction: 1 }], [{ path: ['name'], direction: 1 }]];

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
    /** Slots whose username or name (and emails, when asked) contain the lower-cased text. */
    searchHits(needle: string, includeEmails: boolean): Uint8Array;
}

/** Lets other work run (requests, events) during a long job; `due()` says when it is time to. */
export interface Pacer {
    due(): boolean;
    pause(): Promise<void>;
}

/** A pacer that pauses for a macrotask after every `sliceMs` of work. */
export function pacer(sliceMs = 10): Pacer {
    let since = Date.now();
    return {
        due: () => Date.now() - since >= sliceMs,
        pause: () =>
            new Promise((resolve) =>
                setTimeout(() => {
                    since = Date.now();
                    resolve();
                }, 0),
            ),
    };
}

const MAX_CACHED_ORDERS = 8;
const MAX_CACHED_RESULTS = 16;
/** Up to this many matches, a sort without a built order sorts just them. */
const SORT_MATCHES_ALONE = 20_000;
/** Beyond that, a sort without a built order picks the matches up to this far in the list, without sorting all. */
const FIRST_PAGES = 1_000;
/** Changed users that a search checks one by one before its text is rebuilt. */
const MAX_STALE_SEARCH_SLOTS = 512;
const SEGMENT_END = '\u0000';

/**
 * A long job cut into steps: it yields between steps, so that it can run at
 * once (`runNow`) or give other work a turn now and then (`runPaced`).
 */
type Job<T> = Generator<void, T, void>;

function runNow<T>(job: Job<T>): T {
    for (;;) {
        const step = job.next();
        if (step.done) return step.value;
    }
}

async function runPaced<T>(job: Job<T>, pacer: Pacer): Promise<T> {
    for (;;) {
        const step = job.next();
        if (step.done) return step.value;
        if (pacer.due()) await pacer.pause();
    }
}

/** Work between two steps of a job. */
const STEP = 1024;

/**
 * One search column as a single string of segments (one per live slot, in
 * slot order), so that a substring search is a few `indexOf` calls over
 * contiguous memory instead of one call per user.
 */
class SearchText {
    private constructor(
        private readonly text: string,
        private readonly starts: Int32Array,
        private readonly slots: Int32Array,
    ) {}

    static *build(live: Int32Array, keyOf: (slot: number) => string): Job<SearchText> {
        const parts = new Array<string>(live.length);
        const starts = new Int32Array(live.length + 1);
        let position = 0;
        for (let i = 0; i < live.length; i++) {
            parts[i] = keyOf(live[i]);
            starts[i] = position;
            position += parts[i].length + 1;
            if (i % STEP === 0) yield;
        }
        starts[live.length] = position;
        return new SearchText(parts.join(SEGMENT_END) + SEGMENT_END, starts, live);
    }

    /** Marks each slot whose segment contains the needle; segments are visited once, in order. */
    mark(needle: string, hits: Uint8Array): void {
        let segment = 0;
        let from = 0;
        for (;;) {
            const found = this.text.indexOf(needle, from);
            if (found < 0) {
                return;
            }
            while (this.starts[segment + 1] <= found) segment++;
            hits[this.slots[segment]] = 1;
            from = this.starts[segment + 1];
        }
    }
}

/** The search texts of names and of emails, and the users changed since they were built. */
interface SearchTexts {
    names: SearchText;
    emails: SearchText;
    /** Their segments are stale: these users are checked one by one. */
    stale: Set<number>;
}

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
class SortedOrder {
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
            const wider = new Int32Array(Math.max(64, this.count * 2));
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

export class Directory implements DirectoryColumns {
    private readonly users = new UserColumns();
    private readonly slotById = new Map<string, number>();
    private readonly freeSlots: number[] = [];
    /** Slots ever used: every scan stops here. */
    private slotCount = 0;
    private readonly orders = new Map<string, SortedOrder>();
    private readonly results = new Map<string, { version: number; matches: Uint8Array; total: number }>();
    private texts?: SearchTexts;
    private version = 0;
    /** Orders being built in the background, each with the slots changed meanwhile (placed again once it is built). */
    private readonly building = new Map<string, Set<number>>();

    constructor(records: Iterable<UserRecord> = []) {
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
        return this.slotById.has(id);
    }

    slotOf(id: string): number | undefined {
        return this.slotById.get(id);
    }

    /** Every user's id, without building records. */
    ids(): IterableIterator<string> {
        return this.slotById.keys();
    }

    /** Every user as a record, built one at a time. */
    *records(): IterableIterator<UserRecord> {
        for (const slot of this.slotById.values()) {
            yield this.users.record(slot);
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
        const hits = new Uint8Array(this.slotCount);
        if (needle.includes(SEGMENT_END)) {
            return hits; // no username, name or email holds a NUL
        }
        // "\n" separates a user's own keys: a needle holding it is checked user by user.
        if (needle.includes('\n')) {
            for (let slot = 0; slot < hits.length; slot++) {
                if (this.isLive(slot) && this.keysOf(slot, includeEmails).some((key) => key.includes(needle))) hits[slot] = 1;
            }
            return hits;
        }
        const texts = this.searchTexts();
        texts.names.mark(needle, hits);
        if (includeEmails) {
            texts.emails.mark(needle, hits);
        }
        for (const slot of texts.stale) {
            if (slot < hits.length) hits[slot] = this.isLive(slot) && this.keysOf(slot, includeEmails).some((key) => key.includes(needle)) ? 1 : 0;
        }
        return hits;
    }

    private keysOf(slot: number, includeEmails: boolean): string[] {
        const keys = [this.users.usernameColumn[slot] ?? '', this.users.names[slot] ?? ''];
        if (includeEmails) {
            const emails = this.users.field(slot, 'emails') as UserRecord['emails'];
            keys.push(...(emails ?? []).map((email) => String(email.address)));
        }
        return keys.map((key) => key.toLowerCase());
    }

    private searchTexts(): SearchTexts {
        return (this.texts ??= runNow(this.buildSearchTexts()));
    }

    private *buildSearchTexts(): Job<SearchTexts> {
        const live = this.liveSlots();
        const names = yield* SearchText.build(live, (slot) => this.users.nameKey(slot));
        const emails = yield* SearchText.build(live, (slot) => this.users.emailKey(slot));
        return { names, emails, stale: new Set() };
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
            this.slotById.set(record._id, slot);
        } else {
            this.orders.forEach((order) => order.remove(slot as number));
        }
        const searchedBefore = known && this.texts ? this.searchKey(slot) : undefined;
        this.users.write(slot, record);
        this.changed(slot);
        if (this.texts && (!known || searchedBefore !== this.searchKey(slot))) {
            this.markStale(slot);
        }
        this.orders.forEach((order) => order.insert(slot));
    }

    remove(id: string): boolean {
        const slot = this.slotById.get(id);
        if (slot === undefined) {
            return false;
        }
        this.orders.forEach((order) => order.remove(slot));
        this.users.clear(slot);
        this.changed(slot);
        if (this.texts) this.markStale(slot);
        this.slotById.delete(id);
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
        if (this.building.has(id)) {
            return;
        }
        const changed = new Set<number>();
        this.building.set(id, changed);
        runPaced(SortedOrder.build(sort, this.users, this.liveSlots()), pacer())
            .then((order) => {
                changed.forEach((slot) => order.removeAnywhere(slot));
                changed.forEach((slot) => this.isLive(slot) && order.insert(slot));
                this.keepOrder(id, order);
            })
            .catch(() => undefined) // without it, the next request picks its page again
            .finally(() => this.building.delete(id));
    }

    private searchKey(slot: number): string {
        return `${this.users.nameKey(slot)}\n${this.users.emailKey(slot)}`;
    }

    /** A user whose words changed is checked one by one until too many have: then the texts are built anew. */
    private markStale(slot: number): void {
        const texts = this.texts as SearchTexts;
        texts.stale.add(slot);
        if (texts.stale.size > MAX_STALE_SEARCH_SLOTS) {
            this.texts = undefined;
        }
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

    /** Builds the sort orders most requests use, and the search texts, ahead of time: off the request path. */
    prepare(sorts: ReadonlyArray<readonly SortKey[]>): void {
        runNow(this.preparation(sorts));
    }

    /** `prepare`, giving other work a turn whenever the pacer says so. */
    prepareInSteps(sorts: ReadonlyArray<readonly SortKey[]>, pace: Pacer): Promise<void> {
        return runPaced(this.preparation(sorts), pace);
    }

    private *preparation(sorts: ReadonlyArray<readonly SortKey[]>): Job<void> {
        const version = this.version;
        for (const sort of sorts) {
            const id = orderId(sort);
            if (!this.orders.has(id)) {
                const order = yield* SortedOrder.build(sort, this.users, this.liveSlots());
                // A change while the order was built makes it stale: it is built again on first use.
                if (version === this.version) this.keepOrder(id, order);
            }
        }
        if (!this.texts) {
            const texts = yield* this.buildSearchTexts();
            if (version === this.version) this.texts = texts;
        }
    }

    /** The users that pass every filter, as a bitmap of slots (1 = a match), cached until the directory changes: what `select` pages through. */
    matches(filters: readonly Filter[]): { matches: Uint8Array; total: number } {
        const key = filters.map((filter) => filter.key).join('&');
        const cached = this.results.get(key);
        if (cached && cached.version === this.version) {
            return cached;
        }
        const matches = new Uint8Array(this.slotCount);
        const flags = this.users.flags;
        for (let slot = 0; slot < matches.length; slot++) {
            matches[slot] = flags[slot] & Flag.LIVE ? 1 : 0;
        }
        filters.forEach((filter) => filter.narrow(this, matches));
        let total = 0;
        for (let slot = 0; slot < matches.length; slot++) {
            total += matches[slot];
        }
        this.results.delete(key);
        if (this.results.size >= MAX_CACHED_RESULTS) {
            this.results.delete(this.results.keys().next().value as string);
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

const orderId = (sort: readonly SortKey[]) => sort.map(({ path, direction }) => `${path.join('.')}:${direction}`).join(',');
