import { Directory } from '../../src/core/directory';
import { COUNT_MESSAGE, ids, invalidParams, livechatUsers, numberedUsers, OFFSET_MESSAGE, rows, USER, usersByStatus, usersList } from './fixtures';

const MANY = numberedUsers(120, () => ({ roles: ['user', 'livechat-agent'] }));
const directory = new Directory(MANY);
const allIds = MANY.map((user) => user._id);

/** The three endpoints, each over the same 120 users (all of them agents, so that livechat lists them too). */
const endpoints = {
    'users.list': (query: Record<string, unknown>, config = {}) => usersList(query, { directory, config }),
    'users.listByStatus': (query: Record<string, unknown>, config = {}) => usersByStatus(query, { directory, config }),
    'livechat/users/agent': (query: Record<string, unknown>, config = {}) => livechatUsers('agent', query, { directory, config }),
};

describe.each(Object.entries(endpoints))('pagination of %s', (_name, endpoint) => {
    it('returns 50 users by default, with the total of all matches and offset 0', () => {
        const response = endpoint({});
        expect(ids(response)).toEqual(allIds.slice(0, 50));
        expect(response.content).toMatchObject({ count: 50, offset: 0, total: 120, success: true });
    });

    it('clamps count to 100', () => {
        const response = endpoint({ count: '500' });
        expect(ids(response)).toEqual(allIds.slice(0, 100));
        expect(response.content).toMatchObject({ count: 100, total: 120 });
    });

    it('honours a count below the limit and an offset, echoing the offset as a number', () => {
        const response = endpoint({ count: '7', offset: '30' });
        expect(ids(response)).toEqual(allIds.slice(30, 37));
        expect(response.content).toMatchObject({ count: 7, offset: 30, total: 120 });
    });

    it('returns everything for count=0 while infinite counts are allowed (the default)', () => {
        const response = endpoint({ count: '0' });
        expect(ids(response)).toEqual(allIds);
        expect(response.content).toMatchObject({ count: 120, total: 120 });
    });

    it('falls back to the default count for count=0 when infinite counts are not allowed', () => {
        const response = endpoint({ count: '0' }, { allowInfiniteCount: false });
        expect(response.content).toMatchObject({ count: 50, total: 120 });
        expect(endpoint({ count: '0' }, { allowInfiniteCount: false, defaultCount: 3 }).content).toMatchObject({ count: 3 });
    });

    it('follows the default and upper count settings', () => {
        expect(endpoint({}, { defaultCount: 10 }).content).toMatchObject({ count: 10, total: 120 });
        expect(endpoint({ count: '90' }, { maxCount: 20 }).content).toMatchObject({ count: 20, total: 120 });
    });

    it('returns an empty page past the end, still with the total and the offset asked for', () => {
        const response = endpoint({ offset: '500', count: '10' });
        expect(response).toEqual({ status: 200, content: { users: [], count: 0, offset: 500, total: 120, success: true } });
        expect(ids(endpoint({ offset: '115' }))).toEqual(allIds.slice(115));
    });

    it.each(['-1', '1.5', 'ten', '', ' 5', '+5', '1e2', '0x10', 'NaN', 'Infinity'])('refuses count=%j with 400 invalid-params', (count) => {
        expect(endpoint({ count })).toEqual(invalidParams(COUNT_MESSAGE));
    });

    it.each(['-1', '2.5', 'abc', '', '-0'])('refuses offset=%j with 400 invalid-params', (offset) => {
        expect(endpoint({ offset })).toEqual(invalidParams(OFFSET_MESSAGE));
    });

    it('refuses a repeated count or offset (an array) and an object', () => {
        expect(endpoint({ count: ['1', '2'] })).toEqual(invalidParams(COUNT_MESSAGE));
        expect(endpoint({ offset: { a: '1' } })).toEqual(invalidParams(OFFSET_MESSAGE));
    });

    it('accepts leading zeros as the integer they spell', () => {
        expect(endpoint({ count: '007', offset: '010' }).content).toMatchObject({ count: 7, offset: 10 });
    });
});

describe('total ignores pagination but not the filter', () => {
    it('counts every match of the filter on every endpoint', () => {
        const filtered = usersList({ query: '{"username":{"$in":["user0001","user0002","user0003"]}}', count: '1', offset: '1' }, { directory });
        expect(filtered.content).toMatchObject({ users: [expect.objectContaining({ _id: 'id0002' })], count: 1, offset: 1, total: 3 });
        const searched = usersByStatus({ searchTerm: 'user001', count: '2' }, { directory, caller: USER });
        expect(rows(searched)).toHaveLength(2);
        expect(searched.content).toMatchObject({ count: 2, total: 10 });
        const agents = livechatUsers('agent', { text: 'USER011', count: '1' }, { directory });
        expect(agents.content).toMatchObject({ count: 1, total: 10 });
    });
});
