import sift from 'sift';

import { Directory } from '../../src/core/directory';
import { queryFilter } from '../../src/core/query';
import { UserRecord } from '../../src/core/record';
import { rec } from './fixtures';
import { prng } from '../../host';

/**
 * The evaluation of queries over the directory's columns must agree with sift
 * (MongoDB's semantics as the library implements them) on every record.
 */
const records: UserRecord[] = [
    rec({ _id: 'a', username: 'ann', name: 'Ann', roles: ['user', 'admin'], active: true, utcOffset: 2, emails: [{ address: 'ann@x.io', verified: true }] }),
    rec({ _id: 'b', username: 'bob', roles: ['user'], active: false, utcOffset: -5, customFields: { clearance: 'High', level: 3 } }),
    rec({ _id: 'c', username: 'cy', name: 'Cy', roles: [], status: 'online', customFields: { clearance: null, level: 'x' } }),
    rec({
        _id: 'd',
        username: 'dee',
        emails: [
            { address: 'd@x.io', verified: false },
            { address: 'dee@y.org', verified: true },
        ],
        customFields: { tags: ['a', 'b'] },
    }),
    rec({ _id: 'e' }),
];

const queries: Array<Record<string, unknown>> = [
    { username: 'ann' },
    { roles: 'user' },
    { roles: { $in: ['admin', 'bot'] } },
    { roles: { $nin: ['user'] } },
    { roles: { $all: ['user', 'admin'] } },
    { roles: { $ne: 'user' } },
    { name: { $exists: false } },
    { 'customFields.clearance': { $exists: true } },
    { 'customFields.clearance': { $in: [null] } },
    { 'customFields.clearance': { $nin: [null, 'High'] } },
    { 'customFields.level': { $gt: 2 } },
    { 'customFields.level': { $lte: 'x' } },
    { utcOffset: { $gte: -5, $lt: 2 } },
    { 'emails.address': 'dee@y.org' },
    { 'emails.verified': false },
    { 'customFields.tags': { $all: ['b', 'a'] } },
    { 'customFields.tags': 'a' },
    { active: true },
    { active: { $ne: true } },
    { $or: [{ username: 'bob' }, { status: 'online' }] },
    { $and: [{ roles: 'user' }, { active: { $eq: true } }] },
    { $or: [{ 'customFields.level': { $gt: 1 } }, { name: { $exists: true } }], roles: { $in: ['user'] } },
];

/** The ids a query selects from the records, evaluated over a directory's columns, in id order. */
function selectedIds(users: UserRecord[], query: Record<string, unknown>): string[] {
    const directory = new Directory(users);
    return directory.select([], [queryFilter(query)], 0, Infinity).records.map((record) => record._id);
}

const siftIds = (users: UserRecord[], query: Record<string, unknown>) =>
    users
        .filter(sift(query as never))
        .map((record) => record._id)
        .sort();

describe('queries over columns agree with sift', () => {
    it.each(queries.map((query) => [JSON.stringify(query), query]))('%s', (_text, query) => {
        expect(selectedIds(records, query)).toEqual(siftIds(records, query));
    });

    it('matches $regex on a value or on an array element, with options', () => {
        const ids = (query: Record<string, unknown>) => selectedIds(records, query);
        expect(ids({ name: { $regex: 'n' } })).toEqual(['a']);
        expect(ids({ name: { $regex: '^c', $options: 'i' } })).toEqual(['c']);
        expect(ids({ 'emails.address': { $regex: '\\.org$' } })).toEqual(['d']);
        expect(ids({ roles: { $regex: '^ad' } })).toEqual(['a']);
    });
});

describe('random queries over columns agree with sift on random users', () => {
    const generate = (next: () => number) => {
        const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
        const maybe = <T>(value: T): T | undefined => (next() < 0.3 ? undefined : value);
        // A record never holds a key whose value is undefined (the conversion leaves missing fields out).
        const withoutUndefined = (user: UserRecord) => JSON.parse(JSON.stringify(user)) as UserRecord;
        const users = Array.from({ length: 60 }, (_, i) =>
            withoutUndefined(
                rec({
                    _id: `id${i}`,
                    username: maybe(pick(['ann', 'bob', 'Cy', 'dee.x', 'eve'])),
                    name: maybe(pick(['Ann A', 'Bob', 'cy c', ''])),
                    emails: pick([
                        undefined,
                        [],
                        [{ address: 'a@x.io', verified: true }],
                        [
                            { address: 'b@y.org', verified: false },
                            { address: 'c@x.io', verified: true },
                        ],
                    ]),
                    type: maybe(pick(['user', 'bot', 'app'])),
                    roles: pick([undefined, [], ['user'], ['user', 'admin'], ['bot']]),
                    status: maybe(pick(['online', 'away', 'offline'])),
                    statusText: maybe(pick(['', 'lunch', 'Lunch'])),
                    active: maybe(pick([true, false])),
                    federated: maybe(pick([true, false])),
                    lastLogin: maybe(pick(['2024-01-02T03:04:05.006Z', '2021-06-01T00:00:00.000Z', '2024-01-02'])),
                    utcOffset: maybe(pick([0, -5, 5.5])),
                    customFields: pick([undefined, {}, { clearance: 'High', level: 3 }, { clearance: null, level: 'x' }, { tags: ['a', 'b'], level: [1, 7] }]),
                    freeSwitchExtension: maybe(pick(['1001', '2002'])),
                }),
            ),
        );
        const values = ['ann', 'bob', 'user', 'admin', 'online', 'lunch', 'High', 'a', 3, 5.5, -5, 0, 7, true, false, null, '2022-01-01T00:00:00.000Z'];
        const paths = [
            'username',
            'name',
            'roles',
            'status',
            'statusText',
            'active',
            'federated',
            'type',
            'lastLogin',
            'utcOffset',
            'emails.address',
            'emails.verified',
            'customFields.clearance',
            'customFields.level',
            'customFields.tags',
            'freeSwitchExtension',
            'nameInsensitive',
            '_id',
        ];
        const condition = (): unknown => {
            switch (Math.floor(next() * 14)) {
                case 0:
                    return pick(values);
                case 1:
                    return { $eq: pick(values) };
                case 2:
                    return { $ne: pick(values) };
                case 3:
                    return { [pick(['$in', '$nin'])]: [pick(values), pick(values)] };
                case 4:
                    return { $all: [pick(values), pick(values)] };
                case 5:
                    return { $exists: pick([true, false]) };
                case 6:
                    return { [pick(['$gt', '$gte', '$lt', '$lte'])]: pick(values) };
                case 7:
                    return { $regex: pick(['a', '^b', 'x$', 'n']), ...(next() < 0.5 && { $options: 'i' }) };
                case 8:
                    return { $size: pick([0, 1, 2]) };
                case 9:
                    return { $type: pick(['string', 'number', 'bool', 'array', 'null']) };
                case 10:
                    return { $not: { $eq: pick(values) } };
                case 11:
                    return { $elemMatch: { $eq: pick(values) } };
                case 12:
                    return { $gte: pick(values), $lt: pick(values) };
                default:
                    return { $in: [pick(values), null] };
            }
        };
        const query = (depth: number): Record<string, unknown> => {
            const result: Record<string, unknown> = {};
            const parts = 1 + Math.floor(next() * 3);
            for (let i = 0; i < parts; i++) {
                const roll = next();
                if (depth < 2 && roll < 0.15) result.$or = [query(depth + 1), query(depth + 1)];
                else if (depth < 2 && roll < 0.25) result.$and = [query(depth + 1), query(depth + 1)];
                else result[pick(paths)] = condition();
            }
            return result;
        };
        return { users, queries: Array.from({ length: 150 }, () => query(0)) };
    };

    it.each([1, 2, 3, 4])('seed %i', (seed) => {
        const { users, queries: randomQueries } = generate(prng(seed));
        for (const query of randomQueries) {
            const expected = siftIds(users, query);
            expect({ query, ids: selectedIds(users, query) }).toEqual({ query, ids: expected });
        }
    });
});
