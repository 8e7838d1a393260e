import sift from 'sift';

import { compileQuery } from '../../src/core/query';
import { UserRecord } from '../../src/core/record';
import { rec } from './fixtures';

/**
 * The direct evaluation of common queries must agree with sift (MongoDB's
 * semantics as the library implements them) on every record.
 */
const records: UserRecord[] = [
    rec({ _id: 'a', username: 'ann', name: 'Ann', roles: ['user', 'admin'], active: true, utcOffset: 2, emails: [{ address: 'ann@x.io', verified: true }] }),
    rec({ _id: 'b', username: 'bob', roles: ['user'], active: false, utcOffset: -5, customFields: { clearance: 'High', level: 3 } }),
    rec({ _id: 'c', username: 'cy', name: 'Cy', roles: [], status: 'online', customFields: { clearance: null, level: 'x' } }),
    rec({ _id: 'd', username: 'dee', emails: [{ address: 'd@x.io', verified: false }, { address: 'dee@y.org', verified: true }], customFields: { tags: ['a', 'b'] } }),
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

describe('compileQuery agrees with sift', () => {
    it.each(queries.map((query) => [JSON.stringify(query), query]))('%s', (_text, query) => {
        const expected = records.filter(sift(query as never)).map((record) => record._id);
        expect(records.filter(compileQuery(query as Record<string, unknown>)).map((record) => record._id)).toEqual(expected);
    });

    it('matches $regex on a value or on an array element, with options', () => {
        const ids = (query: Record<string, unknown>) => records.filter(compileQuery(query)).map((record) => record._id);
        expect(ids({ name: { $regex: 'n' } })).toEqual(['a']);
        expect(ids({ name: { $regex: '^c', $options: 'i' } })).toEqual(['c']);
        expect(ids({ 'emails.address': { $regex: '\\.org$' } })).toEqual(['d']);
        expect(ids({ roles: { $regex: '^ad' } })).toEqual(['a']);
    });
});
