import { compareStrings, compareValues, sortValue } from '../../src/core/compare';
import { Directory } from '../../src/core/directory';
import { parseSort, SortSpec, withAppendedKeys } from '../../src/core/params';
import { UserRecord } from '../../src/core/record';
import { ADMIN, ids, invalidSort, livechatUsers, rec, rows, STAFF, USER, usersByStatus, usersList } from './fixtures';

describe('sort: invalid forms are the invalid-sort error', () => {
    const INVALID = [
        'username', // bad JSON
        '{username:1}',
        '{"username":1',
        '',
        '{"username":"asc"}',
        '{"username":"desc"}',
        '{"username":"1"}',
        '{"username":"-1"}',
        '{"username":null}',
        '{"username":0}',
        '{"username":2}',
        '{"username":-2}',
        '{"username":1.5}',
        '{"username":true}',
        '{"username":[1]}',
        '{"username":{"$meta":"textScore"}}',
        '{"status":1,"username":"asc"}',
        'null',
        '[]',
        '[["username",1]]',
        '1',
        '-1',
        '"username"',
        'true',
    ];

    it.each(INVALID)('users.list refuses sort=%j', (sort) => {
        expect(usersList({ sort })).toEqual(invalidSort(sort));
    });

    it.each(INVALID)('users.listByStatus refuses sort=%j', (sort) => {
        expect(usersByStatus({ sort })).toEqual(invalidSort(sort));
    });

    it.each(INVALID)('livechat/users refuses sort=%j', (sort) => {
        expect(livechatUsers('agent', { sort })).toEqual(invalidSort(sort));
    });

    it('shows a sort the query parser turned into an object or array as JSON', () => {
        expect(usersList({ sort: { username: '1' } })).toEqual(invalidSort('{"username":"1"}'));
        expect(usersList({ sort: ['{"a":1}', '{"b":1}'] })).toEqual(invalidSort('["{\\"a\\":1}","{\\"b\\":1}"]'));
    });

    it('accepts exactly 1 and -1 (however JSON spells them) and does not check keys against a list', () => {
        expect(usersList({ sort: '{"username":-1.0}' }).status).toBe(200);
        expect(usersList({ sort: '{"no.such.field":1,"username":1e0}' }).status).toBe(200);
    });
});

describe('sort: defaults', () => {
    it('users.list and users.listByStatus sort by username ascending', () => {
        const byUsername = ['Zed', 'agent.smith', 'alice', 'boss', 'dialog.bot', 'nostatus', 'old.timer', 'rocket.cat'];
        expect(rows(usersList({}, { caller: USER })).map((row) => row.username)).toEqual(byUsername);
        expect(rows(usersByStatus({})).map((row) => row.username)).toEqual([undefined, ...byUsername]);
        expect(usersList({ sort: '{}' })).toEqual(usersList({}));
    });

    it('livechat/users sorts by name ascending, users without a name first', () => {
        expect(rows(livechatUsers('agent', {})).map((row) => row.name)).toEqual([null, 'Agent Smith', 'Dialog Bot', 'Zed Zero']);
    });
});

describe('sort: appended keys', () => {
    it('appends active after status with the same direction, and nameInsensitive after name on users.list only', () => {
        const spec: SortSpec = [
            ['status', -1],
            ['name', 1],
            ['username', 1],
        ];
        expect(withAppendedKeys(spec, true)).toEqual([...spec, ['active', -1], ['nameInsensitive', 1]]);
        expect(withAppendedKeys(spec, false)).toEqual([...spec, ['active', -1]]);
        expect(withAppendedKeys([['name', -1]], false)).toEqual([['name', -1]]);
        expect(withAppendedKeys([['username', 1]], true)).toEqual([['username', 1]]);
    });

    it('does not append a key the sort already has', () => {
        expect(
            withAppendedKeys(
                [
                    ['active', 1],
                    ['status', -1],
                    ['nameInsensitive', -1],
                    ['name', 1],
                ],
                true,
            ),
        ).toEqual([
            ['active', 1],
            ['status', -1],
            ['nameInsensitive', -1],
            ['name', 1],
        ]);
    });

    it('parses the keys in the order given', () => {
        expect(parseSort('{"b":1,"a":-1,"c":1}', [['x', 1]])).toEqual([
            ['b', 1],
            ['a', -1],
            ['c', 1],
        ]);
        expect(parseSort(undefined, [['x', 1]])).toEqual([['x', 1]]);
    });

    // _ids chosen so that the order by _id alone differs from the order by active.
    const PAIRS = [
        rec({ _id: 'a', username: 'p', status: 'offline', active: true }),
        rec({ _id: 'b', username: 'q', status: 'offline', active: false }),
        rec({ _id: 'c', username: 'r', status: 'online', active: false }),
        rec({ _id: 'd', username: 's', status: 'online', active: true }),
    ];

    it.each([
        ['users.list', usersList],
        ['users.listByStatus', usersByStatus],
    ])('%s breaks status ties by active in the same direction', (_name, endpoint) => {
        expect(ids(endpoint({ sort: '{"status":1}' }, { users: PAIRS }))).toEqual(['b', 'a', 'c', 'd']);
        expect(ids(endpoint({ sort: '{"status":-1}' }, { users: PAIRS }))).toEqual(['d', 'c', 'a', 'b']);
    });

    it('puts the appended active after every given key', () => {
        const users = [rec({ _id: '1', username: 'x', status: 'offline', active: false }), rec({ _id: '2', username: 'y', status: 'offline', active: true })];
        expect(ids(usersList({ sort: '{"status":1,"username":-1}' }, { users }))).toEqual(['2', '1']);
    });
});

describe('sort: MongoDB order', () => {
    it('compares strings by code point, not by locale: "Zed" < "alice" < "bob" < "zoe" < "émile"', () => {
        const users = ['émile', 'bob', 'alice', 'zoe', 'Zed'].map((username, i) => rec({ _id: `id${i}`, username }));
        expect(usernamesOf(usersList({}, { users }))).toEqual(['Zed', 'alice', 'bob', 'zoe', 'émile']);
        expect(usernamesOf(usersList({ sort: '{"username":-1}' }, { users }))).toEqual(['émile', 'zoe', 'bob', 'alice', 'Zed']);
    });

    it('puts characters beyond the BMP after every BMP character, as UTF-8 bytes do', () => {
        const users = [rec({ _id: '1', username: 'a\u{1F600}' }), rec({ _id: '2', username: 'a\uFFFD' }), rec({ _id: '3', username: 'a\uE000' })];
        expect(usernamesOf(usersList({}, { users }))).toEqual(['a\uE000', 'a\uFFFD', 'a\u{1F600}']);
        expect(compareStrings('\u{10000}', '\uFFFF')).toBe(1);
        expect(compareStrings('\uD7FF', '\u{10000}')).toBe(-1);
        expect(compareStrings('ab', 'abc')).toBe(-1);
        expect(compareStrings('abc', 'abc')).toBe(0);
    });

    it('sorts a missing value first ascending and last descending, ties by _id ascending', () => {
        const users = [
            rec({ _id: 'n3', username: 'c', name: 'b' }),
            rec({ _id: 'n2', username: 'b' }),
            rec({ _id: 'n1', username: 'a', name: 'A' }),
            rec({ _id: 'n0', username: 'd' }),
        ];
        expect(ids(usersList({ sort: '{"name":1}' }, { users }))).toEqual(['n0', 'n2', 'n1', 'n3']);
        expect(ids(usersList({ sort: '{"name":-1}' }, { users }))).toEqual(['n3', 'n1', 'n0', 'n2']);
    });

    // Every value a custom field can hold, in one field; the privileged caller selects customFields to sort on it.
    const MIXED = [
        rec({ _id: 'm1', username: 'm1', customFields: {} }),
        rec({ _id: 'm2', username: 'm2', customFields: { rank: null } }),
        rec({ _id: 'm3', username: 'm3', customFields: { rank: 10 } }),
        rec({ _id: 'm4', username: 'm4', customFields: { rank: 3 } }),
        rec({ _id: 'm5', username: 'm5', customFields: { rank: 'abc' } }),
        rec({ _id: 'm6', username: 'm6', customFields: { rank: { a: 1 } } }),
        rec({ _id: 'm7', username: 'm7', customFields: { rank: true } }),
        rec({ _id: 'm8', username: 'm8', customFields: { rank: [] } }),
        rec({ _id: 'm9', username: 'm9', customFields: { rank: [5, 'x'] } }),
        rec({ _id: 'm10', username: 'm10', customFields: { rank: false } }),
        rec({ _id: 'm11', username: 'm11' }),
        rec({ _id: 'm12', username: 'm12', customFields: { rank: [[1]] } }),
        rec({ _id: 'm13', username: 'm13', customFields: { rank: -2.5 } }),
    ];
    const mixed = (direction: 1 | -1) => ids(usersList({ fields: '{"customFields":1}', sort: `{"customFields.rank":${direction}}` }, { users: MIXED }));

    it('orders mixed types in BSON order ascending: [] < null/missing < numbers < strings < objects < arrays < booleans', () => {
        // [5, "x"] sorts by its smallest element (5) ascending.
        expect(mixed(1)).toEqual(['m8', 'm1', 'm11', 'm2', 'm13', 'm4', 'm9', 'm3', 'm5', 'm6', 'm12', 'm10', 'm7']);
    });

    it('orders them in reverse descending, arrays by their largest element, ties still by _id ascending', () => {
        // [5, "x"] sorts by its largest element ("x") descending; the empty array stays below null.
        expect(mixed(-1)).toEqual(['m7', 'm10', 'm12', 'm6', 'm9', 'm5', 'm3', 'm4', 'm13', 'm1', 'm11', 'm2', 'm8']);
    });

    it('sorts an array field by its smallest element ascending and its largest descending', () => {
        const users = [
            rec({ _id: 'r1', username: 'r1', roles: ['user', 'livechat-agent'] }),
            rec({ _id: 'r2', username: 'r2', roles: ['bot'] }),
            rec({ _id: 'r3', username: 'r3', roles: ['moderator'] }),
            rec({ _id: 'r4', username: 'r4', roles: ['admin', 'zzz'] }),
            rec({ _id: 'r5', username: 'r5', roles: [] }),
            rec({ _id: 'r6', username: 'r6' }),
        ];
        expect(ids(usersList({ sort: '{"roles":1}' }, { users }))).toEqual(['r5', 'r6', 'r4', 'r2', 'r1', 'r3']);
        expect(ids(usersList({ sort: '{"roles":-1}' }, { users }))).toEqual(['r4', 'r1', 'r3', 'r2', 'r6', 'r5']);
    });

    it('sorts on a path through an array of sub-documents', () => {
        const users = [
            rec({
                _id: 'e1',
                username: 'e1',
                emails: [
                    { address: 'm@x', verified: true },
                    { address: 'b@x', verified: true },
                ],
            }),
            rec({ _id: 'e2', username: 'e2', emails: [{ address: 'c@x', verified: true }] }),
            rec({
                _id: 'e3',
                username: 'e3',
                emails: [
                    { address: 'a@x', verified: true },
                    { address: 'z@x', verified: true },
                ],
            }),
        ];
        expect(ids(usersList({ sort: '{"emails.address":1}' }, { users }))).toEqual(['e3', 'e1', 'e2']);
        expect(ids(usersList({ sort: '{"emails.address":-1}' }, { users }))).toEqual(['e3', 'e1', 'e2']);
        expect(ids(usersList({ sort: '{"emails.address":-1,"username":-1}' }, { users: users.slice(0, 2) }))).toEqual(['e1', 'e2']);
    });

    it('uses later keys only to break ties of earlier ones', () => {
        const response = usersList({ sort: '{"status":1,"username":-1}' }, { caller: USER });
        expect(rows(response).map((row) => `${String(row.status)}:${String(row.username)}`)).toEqual([
            'undefined:nostatus',
            'away:boss',
            'offline:old.timer',
            'offline:dialog.bot',
            'offline:agent.smith',
            'online:rocket.cat',
            'online:alice',
            'online:Zed',
        ]);
    });
});

describe('sort: ties broken by _id, pages never overlap or skip', () => {
    const STATUSES = ['online', 'away', 'offline', 'busy'];
    // 37 users, _ids in an order unrelated to the sort keys, many ties on every key.
    const users: UserRecord[] = Array.from({ length: 37 }, (_, i) =>
        rec({
            _id: `k${(i * 17) % 37}`,
            username: `user${i}`,
            name: ['Ann', 'Bob', 'ann'][i % 3],
            status: STATUSES[i % 4],
            active: i % 5 !== 0,
            roles: i % 2 ? ['user'] : ['user', 'bot'],
            emails: [{ address: `${i % 6}@x`, verified: false }],
        }),
    );
    const directory = new Directory(users);
    const SORTS = [
        '{"status":1}',
        '{"status":-1}',
        '{"name":1}',
        '{"name":-1}',
        '{"active":-1,"name":1}',
        '{"roles":-1}',
        '{"emails.address":1}',
        '{"type":1}',
    ];

    it.each(SORTS)('sort=%s: paging with every page size yields the full order once', (sort) => {
        const all = ids(usersByStatus({ sort, count: '0' }, { directory }));
        expect(new Set(all).size).toBe(37);
        for (const size of [1, 4, 7, 36]) {
            const paged: string[] = [];
            for (let offset = 0; offset < 37; offset += size) {
                paged.push(...ids(usersByStatus({ sort, count: String(size), offset: String(offset) }, { directory })));
            }
            expect(paged).toEqual(all);
        }
    });

    it('orders users that tie on every key by _id ascending in both directions', () => {
        const ties = [3, 1, 2].map((n) => rec({ _id: `t${n}`, username: `z${4 - n}`, status: 'online', active: true }));
        expect(ids(usersByStatus({ sort: '{"status":1}' }, { users: ties }))).toEqual(['t1', 't2', 't3']);
        expect(ids(usersByStatus({ sort: '{"status":-1}' }, { users: ties }))).toEqual(['t1', 't2', 't3']);
    });
});

describe('users.list sorts on the projected rows', () => {
    it('ignores a sort key on a field the caller does not get (ties broken by _id)', () => {
        const byId = STAFF.filter((user) => user.username).map((user) => user._id);
        expect(ids(usersList({ sort: '{"lastLogin":-1}' }, { caller: USER }))).toEqual(byId);
        expect(ids(usersList({ sort: '{"customFields.clearance":1}' }, { caller: USER }))).toEqual(byId);
        expect(ids(usersList({ sort: '{"utcOffset":1}' }, { caller: ADMIN }))).toContain('u8');
    });

    it('sorts on the same field once the caller gets it', () => {
        expect(ids(usersList({ sort: '{"lastLogin":-1}' }, { caller: ADMIN })).slice(0, 5)).toEqual(['u2', 'u1', 'u6', 'u5', 'u4']);
    });

    it('sorts on a selected part of a field, not on the parts left out', () => {
        const users = [
            rec({ _id: 'c1', username: 'c1', customFields: { clearance: 'B', team: 'A' } }),
            rec({ _id: 'c2', username: 'c2', customFields: { clearance: 'A', team: 'B' } }),
        ];
        const fields = '{"customFields.clearance":1}';
        expect(ids(usersList({ fields, sort: '{"customFields.clearance":1}' }, { users }))).toEqual(['c2', 'c1']);
        expect(ids(usersList({ fields, sort: '{"customFields.team":1}' }, { users }))).toEqual(['c1', 'c2']);
        expect(ids(usersList({ fields: '{"customFields":1}', sort: '{"customFields.team":-1}' }, { users }))).toEqual(['c2', 'c1']);
    });
});

describe('compareValues and sortValue', () => {
    it('ranks types as BSON does, dates after booleans and regular expressions last', () => {
        const ordered = [null, -Infinity, 0, 2, 'a', {}, [1], false, true, new Date(0), new Date(1), /x/];
        for (let i = 0; i < ordered.length - 1; i++) {
            expect(compareValues(ordered[i], ordered[i + 1])).toBe(-1);
            expect(compareValues(ordered[i + 1], ordered[i])).toBe(1);
        }
        expect(compareValues(undefined, null)).toBe(0);
        expect(compareValues(NaN, -Infinity)).toBe(-1);
        expect(compareValues(NaN, NaN)).toBe(0);
        expect(compareValues(1, 1.0)).toBe(0);
    });

    it('compares documents field by field and arrays element by element', () => {
        expect(compareValues({ a: 1 }, { a: 2 })).toBe(-1);
        expect(compareValues({ a: 1 }, { b: 0 })).toBe(-1);
        expect(compareValues({ a: 1 }, { a: 1, b: 1 })).toBe(-1);
        expect(compareValues({ a: 'x' }, { a: 1 })).toBe(1); // the value's type decides before the name
        expect(compareValues([1, 2], [1, 3])).toBe(-1);
        expect(compareValues([1, 2], [1])).toBe(1);
    });

    it('reduces arrays to their smallest or largest element and reaches through arrays of documents', () => {
        const doc = { tags: ['m', 'b', 'x'], list: [{ v: 3 }, { v: 1 }, { w: 9 }], empty: [], nested: { deep: { value: 'v' } } };
        expect(sortValue(doc, ['tags'], 1)).toBe('b');
        expect(sortValue(doc, ['tags'], -1)).toBe('x');
        expect(sortValue(doc, ['list', 'v'], 1)).toBe(1);
        expect(sortValue(doc, ['list', 'v'], -1)).toBe(3);
        expect(sortValue(doc, ['nested', 'deep', 'value'], 1)).toBe('v');
        expect(sortValue(doc, ['missing', 'path'], 1)).toBeUndefined();
        expect(compareValues(sortValue(doc, ['empty'], 1), null)).toBe(-1);
        expect(compareValues(sortValue(doc, ['empty'], -1), undefined)).toBe(-1);
    });

    it('never reads inherited properties through a dotted path', () => {
        expect(sortValue({ a: {} }, ['a', 'constructor'], 1)).toBeUndefined();
        expect(sortValue({ a: {} }, ['a', '__proto__'], 1)).toBeUndefined();
    });
});

function usernamesOf(response: ReturnType<typeof usersList>): unknown[] {
    return rows(response).map((row) => row.username);
}
