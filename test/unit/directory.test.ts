import { compareStrings, compareValues, sortValue } from '../../src/core/compare';
import { Directory, Filter, Flag } from '../../src/core/directory';
import type { SortKey } from '../../src/core/sortOrder';
import { anyFlag, anyRole, containsText, hasFlag, recordTest } from '../../src/core/filters';
import { UserRecord } from '../../src/core/record';
import { numberedUsers, rec } from './fixtures';
import { prng } from '../../host';

const key = (field: string, direction: 1 | -1 = 1): SortKey => ({ path: field.split('.'), direction });

/** More sort orders than the directory caches at once (8), so that some are dropped and rebuilt. */
const SORTS: SortKey[][] = [
    [key('username')],
    [key('username', -1)],
    [key('name')],
    [key('name', -1), key('username')],
    [key('status'), key('active')],
    [key('status', -1), key('active', -1)],
    [key('roles')],
    [key('roles', -1)],
    [key('customFields.rank')],
    [key('customFields.rank', -1)],
    [key('emails.address')],
    [],
];

function randomUser(next: () => number, id: string): UserRecord {
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const ranks: unknown[] = [undefined, null, 1, 2, -3, 'a', 'B', { x: 1 }, [], [2, 'z'], true, false];
    const user = rec({
        _id: id,
        username: pick([undefined, 'ann', 'Bob', 'bob', 'zed', 'émile', 'a\u{1F600}']),
        name: pick([undefined, 'Ann', 'ann', 'Zoe', '']),
        status: pick([undefined, 'online', 'away', 'offline']),
        active: pick([undefined, true, false]),
        roles: pick([undefined, [], ['user'], ['user', 'bot'], ['admin', 'zzz']]),
        emails: pick([
            undefined,
            [],
            [{ address: 'm@x', verified: true }],
            [
                { address: 'b@x', verified: false },
                { address: 'y@x', verified: true },
            ],
        ]),
    });
    const rank = pick(ranks);
    if (rank !== undefined || next() < 0.5) {
        user.customFields = rank === undefined ? {} : { rank };
    }
    return user;
}

const idsOf = (directory: Directory, sort: SortKey[], offset = 0, count = Infinity) =>
    directory.select(sort, [], offset, count).records.map((record) => record._id);

function expectSameOrders(maintained: Directory): void {
    const fresh = new Directory([...maintained.records()]);
    for (const sort of SORTS) {
        expect(idsOf(maintained, sort)).toEqual(idsOf(fresh, sort));
    }
}

describe('Directory: incremental maintenance of cached orders', () => {
    it.each([1, 2, 3, 4, 5])('keeps every cached order equal to a fresh one through random changes (seed %i)', (seed) => {
        const next = prng(seed);
        const directory = new Directory(Array.from({ length: 40 }, (_, i) => randomUser(next, `id${i}`)));
        let nextId = 40;
        for (let step = 0; step < 400; step++) {
            const existing = [...directory.records()];
            const roll = next();
            if (roll < 0.35 || existing.length === 0) {
                directory.upsert(randomUser(next, `id${nextId++}`));
            } else if (roll < 0.7) {
                directory.upsert(randomUser(next, existing[Math.floor(next() * existing.length)]._id));
            } else if (roll < 0.95) {
                expect(directory.remove(existing[Math.floor(next() * existing.length)]._id)).toBe(true);
            } else {
                expect(directory.remove('no-such-id')).toBe(false);
            }
            // Use a few orders between changes, so that they are cached and must be maintained.
            idsOf(directory, SORTS[Math.floor(next() * SORTS.length)]);
            if (step % 50 === 49) {
                expectSameOrders(directory);
            }
        }
        expectSameOrders(directory);
    });

    it('keeps each order sorted by its keys, then by _id', () => {
        const next = prng(42);
        const directory = new Directory();
        SORTS.slice(0, 8).forEach((sort) => idsOf(directory, sort));
        for (let i = 0; i < 200; i++) {
            directory.upsert(randomUser(next, `u${Math.floor(next() * 120)}`));
        }
        for (const sort of SORTS) {
            const records = directory.select(sort, [], 0, Infinity).records;
            for (let i = 1; i < records.length; i++) {
                expect(order(sort, records[i - 1], records[i])).toBe(-1);
            }
        }
    });
});

/** The reference order: each key in MongoDB order and direction, then _id ascending. */
function order(sort: SortKey[], a: UserRecord, b: UserRecord): number {
    for (const { path, direction } of sort) {
        const byKey = compareValues(sortValue(a, path, direction), sortValue(b, path, direction));
        if (byKey !== 0) {
            return byKey * direction;
        }
    }
    return compareStrings(a._id, b._id);
}

describe('Directory: contents', () => {
    it('upserts by id: a second upsert replaces the user everywhere', () => {
        const directory = new Directory([rec({ _id: 'a', username: 'zz' }), rec({ _id: 'b', username: 'mm' })]);
        expect(idsOf(directory, [key('username')])).toEqual(['b', 'a']);
        directory.upsert(rec({ _id: 'a', username: 'aa' }));
        expect(directory.size).toBe(2);
        expect(directory.get('a')?.username).toBe('aa');
        expect(idsOf(directory, [key('username')])).toEqual(['a', 'b']);
    });

    it('removes users from every order', () => {
        const directory = new Directory(numberedUsers(5));
        SORTS.forEach((sort) => idsOf(directory, sort));
        expect(directory.remove('id0002')).toBe(true);
        expect(directory.remove('id0002')).toBe(false);
        expect(directory.has('id0002')).toBe(false);
        expect(directory.get('id0002')).toBeUndefined();
        for (const sort of SORTS) {
            expect(idsOf(directory, sort)).not.toContain('id0002');
            expect(idsOf(directory, sort)).toHaveLength(4);
        }
    });

    it('keeps the last record of a duplicated id given to the constructor', () => {
        const directory = new Directory([rec({ _id: 'a', username: 'first' }), rec({ _id: 'a', username: 'second' })]);
        expect(directory.size).toBe(1);
        expect([...directory.records()].map((user) => user.username)).toEqual(['second']);
    });

    it('prepares orders ahead of requests with the same result', () => {
        const users = numberedUsers(10, (i) => ({ name: `N${9 - i}` }));
        const prepared = new Directory(users);
        prepared.prepare([[key('name')], [key('username', -1)]]);
        prepared.upsert(rec({ _id: 'new', username: 'user0005x', name: 'N4x' }));
        const fresh = new Directory([...prepared.records()]);
        expect(idsOf(prepared, [key('name')])).toEqual(idsOf(fresh, [key('name')]));
        expect(idsOf(prepared, [key('username', -1)])).toEqual(idsOf(fresh, [key('username', -1)]));
    });
});

describe('Directory.select', () => {
    const directory = new Directory(numberedUsers(25));
    const all = numberedUsers(25).map((user) => user._id);
    const even = recordTest('even', (record) => Number(record._id.slice(2)) % 2 === 0);

    it('without filters, returns the page and the size as total', () => {
        const selection = directory.select([key('username')], [], 5, 3);
        expect(selection.records.map((record) => record._id)).toEqual(all.slice(5, 8));
        expect(selection.total).toBe(25);
    });

    it('with count Infinity, returns everything from the offset', () => {
        expect(directory.select([key('username')], [], 20, Infinity).records).toHaveLength(5);
        const tested = directory.select([key('username')], [recordTest('not-0', (record) => record._id !== 'id0000')], 0, Infinity);
        expect(tested.records).toHaveLength(24);
        expect(tested.total).toBe(24);
    });

    it('with filters, pages over the matches and counts them all', () => {
        const selection = directory.select([key('username', -1)], [even], 2, 4);
        expect(selection.records.map((record) => record._id)).toEqual(['id0020', 'id0018', 'id0016', 'id0014']);
        expect(selection.total).toBe(13);
        expect(directory.select([key('username')], [even], 50, 4)).toEqual({ records: [], total: 13 });
        expect(directory.select([key('username')], [recordTest('none', () => false)], 0, 10)).toEqual({ records: [], total: 0 });
    });

    it('selects from an empty directory', () => {
        expect(new Directory().select([key('username')], [], 0, Infinity)).toEqual({ records: [], total: 0 });
        expect(new Directory().select([key('username')], [even], 0, Infinity)).toEqual({ records: [], total: 0 });
    });
});

describe('Directory filters and their cache', () => {
    const ids = (directory: Directory, filters: Filter[]) => directory.select([key('username')], filters, 0, Infinity).records.map((record) => record._id);

    it('match flags, roles and text the same as a test of every record, through random changes', () => {
        const next = prng(7);
        const directory = new Directory();
        const checks: Array<[Filter[], (record: UserRecord) => boolean]> = [
            [[anyFlag(Flag.NAMED)], (r) => typeof r.username === 'string' || typeof r.name === 'string'],
            [[hasFlag(Flag.ACTIVE, true)], (r) => r.active === true],
            [[hasFlag(Flag.DEACTIVATED, true), anyRole(['user'])], (r) => r.active === false && !!r.roles?.includes('user')],
            [[hasFlag(Flag.PRESENT, false)], (r) => r.status === undefined || r.status === 'offline'],
            [
                [containsText('O', false)],
                (r) =>
                    `${r.username ?? ''}\n${r.name ?? ''}`
                        .toLowerCase()
                        .split('\n')
                        .some((k) => k.includes('o')),
            ],
            [[containsText('@X', true)], (r) => !!r.emails?.some((e) => e.address.toLowerCase().includes('@x'))],
        ];
        for (let step = 0; step < 300; step++) {
            const id = `u${Math.floor(next() * 40)}`;
            if (next() < 0.2) {
                directory.remove(id);
            } else {
                directory.upsert(randomUser(next, id));
            }
            for (const [filters, test] of checks) {
                const expected = [...directory.records()].filter(test).map((record) => record._id);
                expect(ids(directory, filters).sort()).toEqual(expected.sort());
            }
        }
    });

    it('never serves a cached result after a change', () => {
        const directory = new Directory([rec({ _id: 'a', username: 'ann', active: true })]);
        const active = [hasFlag(Flag.ACTIVE, true)];
        expect(ids(directory, active)).toEqual(['a']);
        directory.upsert(rec({ _id: 'a', username: 'ann', active: false }));
        expect(ids(directory, active)).toEqual([]);
        directory.upsert(rec({ _id: 'b', username: 'bea', active: true }));
        expect(ids(directory, active)).toEqual(['b']);
    });

    it('finds text in a renamed user, and not in a removed one whose slot was reused', () => {
        const directory = new Directory([rec({ _id: 'a', username: 'ann' }), rec({ _id: 'b', username: 'bob' })]);
        expect(ids(directory, [containsText('bo', false)])).toEqual(['b']);
        directory.remove('b');
        expect(ids(directory, [containsText('bo', false)])).toEqual([]);
        directory.upsert(rec({ _id: 'c', username: 'carl', name: 'Bobby' }));
        expect(ids(directory, [containsText('bo', false)])).toEqual(['c']);
        directory.upsert(rec({ _id: 'a', username: 'ann', name: 'Bobo' }));
        expect(ids(directory, [containsText('bo', false)])).toEqual(['a', 'c']);
    });
});

describe('Directory text search', () => {
    it('finds a needle holding a line break or a NUL only where a key holds it', () => {
        const directory = new Directory([rec({ _id: 'a', username: 'ann', name: 'Two\nLines' }), rec({ _id: 'b', username: 'bob', name: 'lines' })]);
        const found = (needle: string) => directory.select([key('username')], [containsText(needle, false)], 0, Infinity).records.map((record) => record._id);
        expect(found('o\nl')).toEqual(['a']);
        expect(found('ann\ntwo')).toEqual([]); // the username and the name are separate keys
        expect(found('\u0000')).toEqual([]);
        expect(found('lines')).toEqual(['a', 'b']);
    });
});
