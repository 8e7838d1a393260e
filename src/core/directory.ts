import { compareStrings, compareValues, sortValue } from './compare';
import type { Direction } from './params';
import type { UserRecord } from './record';

/**
 * The app's own copy of the workspace's users, laid out for fast queries.
 *
 * Every user has a slot: an index into dense columns (flags, role and type
 * membership, lower-cased search keys) that filters scan in memory order,
 * narrowing a bitmap of slots. Sort orders are arrays of slots, built on first
 * use and kept sorted through changes. A query is one scan of the columns and
 * one walk of an order over the bitmap: no record is copied or touched except
 * those of the page (and those a `query` parameter must inspect).
 */

export interface SortKey {
    readonly path: readonly string[];
    readonly direction: Direction;
}

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

/** Per-slot facts that filters test without touching records. */
export const Flag = {
    /** has a string username or name */
    NAMED: 1,
    HAS_EMAIL: 2,
    ACTIVE: 4,
    DEACTIVATED: 8,
    LOGGED_IN: 16,
    /** has a status, and it is not offline */
    PRESENT: 32,
    LIVE: 128,
} as const;

export interface DirectoryColumns {
    readonly flags: Uint8Array;
    record(slot: number): UserRecord;
    /** Slots whose users have the role (1) or not (0); undefined when nobody has it. */
    roleMembers(role: string): Uint8Array | undefined;
    typeCode(type: string): number | undefined;
    readonly types: Uint16Array;
    /** Slots whose username or name (and emails, when asked) contain the lower-cased text. */
    searchHits(needle: string, includeEmails: boolean): Uint8Array;
}

const MAX_CACHED_ORDERS = 8;
const MAX_CACHED_RESULTS = 16;
const SEGMENT_END = '\u0000';

function flagsOf(record: UserRecord): number {
    let flags = Flag.LIVE;
    if (typeof record.username === 'string' || typeof record.name === 'string') flags |= Flag.NAMED;
    if (record.emails && record.emails.length > 0) flags |= Flag.HAS_EMAIL;
    if (record.active === true) flags |= Flag.ACTIVE;
    if (record.active === false) flags |= Flag.DEACTIVATED;
    if (record.lastLogin !== undefined) flags |= Flag.LOGGED_IN;
    if (record.status !== undefined && record.status !== 'offline') flags |= Flag.PRESENT;
    return flags;
}

const nameKey = (record: UserRecord) => `${(record.username ?? '').toLowerCase()}\n${(record.name ?? '').toLowerCase()}`;
const emailKey = (record: UserRecord) => (record.emails ?? []).map((email) => email.address.toLowerCase()).join('\n');

/**
 * One search column as a single string of segments (one per live slot, in
 * slot order), so that a substring search is a few `indexOf` calls over
 * contiguous memory instead of one call per user.
 */
class SearchText {
    private text = '';
    private starts: number[] = [];
    private slots: number[] = [];

    constructor(keys: ReadonlyArray<string | undefined>, live: (slot: number) => boolean) {
        const parts: string[] = [];
        let position = 0;
        for (let slot = 0; slot < keys.length; slot++) {
            const key = keys[slot];
            if (key !== undefined && live(slot)) {
                this.starts.push(position);
                this.slots.push(slot);
                parts.push(key);
                position += key.length + 1;
            }
        }
        this.starts.push(position);
        this.text = parts.join(SEGMENT_END) + SEGMENT_END;
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

/** One sort order over all live slots; ties broken by `_id`, so the order is total and pages never overlap. */
class SortedOrder {
    readonly slots: number[];
    private readonly keys: unknown[][];

    constructor(private readonly spec: readonly SortKey[], private readonly records: ReadonlyArray<UserRecord | undefined>, live: Iterable<number>) {
        const keyed = Array.from(live, (slot) => ({ slot, key: this.keyOf(slot) }));
        keyed.sort((a, b) => this.compare(a.key, a.slot, b.key, b.slot));
        this.slots = keyed.map((item) => item.slot);
        this.keys = keyed.map((item) => item.key);
    }

    insert(slot: number): void {
        const key = this.keyOf(slot);
        const index = this.search(key, slot);
        this.slots.splice(index, 0, slot);
        this.keys.splice(index, 0, key);
    }

    /** Call while the slot still holds the record being removed. */
    remove(slot: number): void {
        const index = this.search(this.keyOf(slot), slot);
        if (this.slots[index] === slot) {
            this.slots.splice(index, 1);
            this.keys.splice(index, 1);
        }
    }

    private keyOf(slot: number): unknown[] {
        const record = this.records[slot];
        return this.spec.map(({ path, direction }) => sortValue(record, path, direction));
    }

    private compare(keyA: unknown[], slotA: number, keyB: unknown[], slotB: number): number {
        for (let i = 0; i < this.spec.length; i++) {
            const order = compareValues(keyA[i], keyB[i]);
            if (order !== 0) {
                return order * this.spec[i].direction;
            }
        }
        return compareStrings((this.records[slotA] as UserRecord)._id, (this.records[slotB] as UserRecord)._id);
    }

    /** The first index whose slot does not sort before the given one. */
    private search(key: unknown[], slot: number): number {
        let low = 0;
        let high = this.slots.length;
        while (low < high) {
            const middle = (low + high) >>> 1;
            if (this.compare(this.keys[middle], this.slots[middle], key, slot) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}

export class Directory implements DirectoryColumns {
    private readonly slotRecords: Array<UserRecord | undefined> = [];
    private readonly slotById = new Map<string, number>();
    private readonly freeSlots: number[] = [];
    private readonly nameKeys: Array<string | undefined> = [];
    private readonly emailKeys: Array<string | undefined> = [];
    private readonly roles = new Map<string, Uint8Array>();
    private readonly typeCodes = new Map<string, number>();
    private readonly orders = new Map<string, SortedOrder>();
    private readonly results = new Map<string, { version: number; matches: Uint8Array; total: number }>();
    private nameText?: SearchText;
    private emailText?: SearchText;
    private version = 0;
    flags = new Uint8Array(0);
    types = new Uint16Array(0);

    constructor(records: Iterable<UserRecord> = []) {
        for (const record of records) {
            this.place(record);
        }
    }

    get size(): number {
        return this.slotById.size;
    }

    get(id: string): UserRecord | undefined {
        const slot = this.slotById.get(id);
        return slot === undefined ? undefined : this.slotRecords[slot];
    }

    has(id: string): boolean {
        return this.slotById.has(id);
    }

    *records(): IterableIterator<UserRecord> {
        for (const slot of this.slotById.values()) {
            yield this.slotRecords[slot] as UserRecord;
        }
    }

    record(slot: number): UserRecord {
        return this.slotRecords[slot] as UserRecord;
    }

    roleMembers(role: string): Uint8Array | undefined {
        return this.roles.get(role);
    }

    typeCode(type: string): number | undefined {
        return this.typeCodes.get(type);
    }

    searchHits(needle: string, includeEmails: boolean): Uint8Array {
        const hits = new Uint8Array(this.slotRecords.length);
        if (needle.includes(SEGMENT_END)) {
            return hits; // no username, name or email holds a NUL
        }
        // "\n" separates a user's own keys: a needle holding it is checked user by user.
        if (needle.includes('\n')) {
            for (let slot = 0; slot < hits.length; slot++) {
                const record = this.slotRecords[slot];
                const keys = record ? [record.username ?? '', record.name ?? '', ...(includeEmails ? (record.emails ?? []).map((email) => email.address) : [])] : [];
                if (keys.some((key) => key.toLowerCase().includes(needle))) {
                    hits[slot] = 1;
                }
            }
            return hits;
        }
        this.nameSearch().mark(needle, hits);
        if (includeEmails) {
            this.emailSearch().mark(needle, hits);
        }
        return hits;
    }

    private nameSearch(): SearchText {
        return (this.nameText ??= new SearchText(this.nameKeys, (slot) => this.slotRecords[slot] !== undefined));
    }

    private emailSearch(): SearchText {
        return (this.emailText ??= new SearchText(this.emailKeys, (slot) => this.slotRecords[slot] !== undefined));
    }

    upsert(record: UserRecord): void {
        const slot = this.slotById.get(record._id);
        if (slot === undefined) {
            const placed = this.place(record);
            this.orders.forEach((order) => order.insert(placed));
            return;
        }
        this.orders.forEach((order) => order.remove(slot));
        this.unindex(slot);
        this.index(slot, record);
        this.orders.forEach((order) => order.insert(slot));
    }

    remove(id: string): boolean {
        const slot = this.slotById.get(id);
        if (slot === undefined) {
            return false;
        }
        this.orders.forEach((order) => order.remove(slot));
        this.unindex(slot);
        this.slotRecords[slot] = undefined;
        // A search text holding the dead slot's words is rebuilt on the next search.
        if (this.nameKeys[slot]) this.nameText = undefined;
        if (this.emailKeys[slot]) this.emailText = undefined;
        this.nameKeys[slot] = undefined;
        this.emailKeys[slot] = undefined;
        this.slotById.delete(id);
        this.freeSlots.push(slot);
        return true;
    }

    /**
     * One page of the users that pass every filter, in the order of `sort`,
     * and how many pass in all. Filters run cheapest first; the bitmap they
     * leave is cached until the directory changes.
     */
    select(sort: readonly SortKey[], filters: readonly Filter[], offset: number, count: number): Selection {
        const order = this.order(sort).slots;
        const records: UserRecord[] = [];
        const end = offset + count;
        if (filters.length === 0) {
            for (let i = offset; i < order.length && i < end; i++) {
                records.push(this.slotRecords[order[i]] as UserRecord);
            }
            return { records, total: order.length };
        }
        const { matches, total } = this.matches(filters);
        let seen = 0;
        for (let i = 0; i < order.length && seen < end; i++) {
            const slot = order[i];
            if (matches[slot] === 1) {
                if (seen >= offset) {
                    records.push(this.slotRecords[slot] as UserRecord);
                }
                seen++;
            }
        }
        return { records, total };
    }

    /** Builds the sort orders most requests use, and the search texts, ahead of time: off the request path. */
    prepare(sorts: ReadonlyArray<readonly SortKey[]>): void {
        sorts.forEach((sort) => this.order(sort));
        this.nameSearch();
        this.emailSearch();
    }

    private matches(filters: readonly Filter[]): { matches: Uint8Array; total: number } {
        const key = filters.map((filter) => filter.key).join('&');
        const cached = this.results.get(key);
        if (cached && cached.version === this.version) {
            return cached;
        }
        const matches = new Uint8Array(this.slotRecords.length);
        for (let slot = 0; slot < matches.length; slot++) {
            matches[slot] = this.flags[slot] & Flag.LIVE ? 1 : 0;
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
        const id = sort.map(({ path, direction }) => `${path.join('.')}:${direction}`).join(',');
        let order = this.orders.get(id);
        if (order) {
            this.orders.delete(id); // re-inserted below: the map's order is the recency order
        } else {
            order = new SortedOrder(sort, this.slotRecords, this.slotById.values());
            if (this.orders.size >= MAX_CACHED_ORDERS) {
                this.orders.delete(this.orders.keys().next().value as string);
            }
        }
        this.orders.set(id, order);
        return order;
    }

    private place(record: UserRecord): number {
        const existing = this.slotById.get(record._id);
        if (existing !== undefined) {
            this.unindex(existing);
            this.index(existing, record);
            return existing;
        }
        const slot = this.freeSlots.pop() ?? this.slotRecords.length;
        if (slot >= this.flags.length) {
            this.grow(Math.max(64, slot * 2));
        }
        this.slotById.set(record._id, slot);
        this.index(slot, record);
        return slot;
    }

    private index(slot: number, record: UserRecord): void {
        this.version++;
        this.slotRecords[slot] = record;
        this.flags[slot] = flagsOf(record);
        let code = this.typeCodes.get(record.type ?? '');
        if (code === undefined) {
            code = this.typeCodes.size + 1;
            this.typeCodes.set(record.type ?? '', code);
        }
        this.types[slot] = code;
        for (const role of record.roles ?? []) {
            let members = this.roles.get(role);
            if (!members) {
                members = new Uint8Array(this.flags.length);
                this.roles.set(role, members);
            }
            members[slot] = 1;
        }
        // A presence change keeps the search texts; a new name or email rebuilds them on the next search.
        const names = nameKey(record);
        const emails = emailKey(record);
        if (this.nameKeys[slot] !== names) this.nameText = undefined;
        if (this.emailKeys[slot] !== emails) this.emailText = undefined;
        this.nameKeys[slot] = names;
        this.emailKeys[slot] = emails;
    }

    private unindex(slot: number): void {
        this.version++;
        this.flags[slot] = 0;
        for (const role of this.slotRecords[slot]?.roles ?? []) {
            const members = this.roles.get(role);
            if (members) members[slot] = 0;
        }
    }

    private grow(capacity: number): void {
        const widen = <T extends Uint8Array | Uint16Array>(array: T, make: (n: number) => T): T => {
            const wider = make(capacity);
            wider.set(array);
            return wider;
        };
        this.flags = widen(this.flags, (n) => new Uint8Array(n));
        this.types = widen(this.types, (n) => new Uint16Array(n));
        for (const [role, members] of this.roles) {
            this.roles.set(role, widen(members, (n) => new Uint8Array(n)));
        }
    }
}
