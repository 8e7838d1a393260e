import { Directory } from '../../src/core/directory';
import { ApiResponse } from '../../src/core/errors';
import {
    ADMIN,
    AGENT,
    COUNT_MESSAGE,
    ids,
    invalidFields,
    invalidParams,
    invalidQuery,
    invalidQueryParameter,
    invalidSort,
    livechatUsers,
    numberedUsers,
    OFFSET_MESSAGE,
    queryString,
    rec,
    STAFF,
    timed,
    USER,
    usersByStatus,
    usersList,
} from './fixtures';

/**
 * Hostile input must get its documented answer, and never hang: every request
 * here is timed, over a directory of about a thousand users, two of them with
 * a 30,000-character name. A super-linear pattern over those names would take
 * minutes; the limit is far above a normal answer (a few ms) so that a busy
 * machine does not fail it. Speed itself is measured by the benchmark.
 */
const LIMIT_MS = 1000;
const A30K = 'a'.repeat(30_000);
const LONG_MATCH = rec({ _id: 'long1', username: 'long.match', name: A30K, roles: ['livechat-agent'], status: 'online' });
const LONG_NO_MATCH = rec({ _id: 'long2', username: 'long.nomatch', name: `${A30K}b`, roles: ['livechat-agent'], status: 'online' });
const directory = new Directory([...STAFF, LONG_MATCH, LONG_NO_MATCH, ...numberedUsers(1000)]);

function fast(request: () => ApiResponse): ApiResponse {
    const { result, ms } = timed(request);
    expect(ms).toBeLessThan(LIMIT_MS);
    return result;
}

const list = (query: Record<string, unknown>, caller = ADMIN) => fast(() => usersList(query, { directory, caller }));
const byStatus = (query: Record<string, unknown>, caller = ADMIN) => fast(() => usersByStatus(query, { directory, caller }));
const agents = (query: Record<string, unknown>, caller = ADMIN) => fast(() => livechatUsers('agent', query, { directory, caller }));
const regexQuery = (pattern: string, options?: string) =>
    JSON.stringify({ name: options === undefined ? { $regex: pattern } : { $regex: pattern, $options: options } });

beforeAll(() => {
    // Compile the validators and warm the regular-expression engine up before timing anything.
    usersList({ query: regexQuery('(x|y)+z'), sort: '{"name":1}' }, { directory });
    usersByStatus({ searchTerm: 'x', sort: '{"name":1}' }, { directory });
    livechatUsers('agent', { text: 'x', sort: '{"name":1}' }, { directory });
});

describe('hostile input: malformed JSON', () => {
    const garbage = '{"'.repeat(50_000);

    it.each(['{"username":', '{username:1}', "{'username':1}", '{"username":1,}', garbage])('refuses sort, fields and query %#', (raw) => {
        expect(list({ sort: raw })).toEqual(invalidSort(raw));
        expect(list({ fields: raw })).toEqual(invalidFields(raw));
        expect(list({ query: raw })).toEqual(invalidQueryParameter(raw));
        expect(byStatus({ sort: raw })).toEqual(invalidSort(raw));
        expect(agents({ sort: raw })).toEqual(invalidSort(raw));
    });
});

describe('hostile input: wrong types', () => {
    it('refuses parameters the query parser turned into objects or arrays', () => {
        const parsed = queryString('sort[username]=1&fields[name]=1&query[name]=x');
        expect(list({ sort: parsed.sort })).toEqual(invalidSort('{"username":"1"}'));
        expect(list({ fields: parsed.fields })).toEqual(invalidFields('{"name":"1"}'));
        expect(list({ query: parsed.query })).toEqual(invalidQueryParameter('{"name":"x"}'));
        expect(list({ query: ['{}', '{}'] })).toEqual(invalidQueryParameter('["{}","{}"]'));
        expect(list(queryString('count[]=1'))).toEqual(invalidParams(COUNT_MESSAGE));
        expect(byStatus(queryString('roles=admin'))).toEqual(invalidParams('must be array'));
        expect(byStatus(queryString('searchTerm[$regex]=.*'))).toEqual(invalidParams('must be string'));
        expect(byStatus(queryString('status[$ne]=active'))).toEqual(invalidParams('must be string', 'must be equal to one of the allowed values'));
        expect(agents(queryString('text[]=a&excludeId[$ne]=x'))).toEqual(invalidParams('must be string', 'must be string'));
    });

    it('refuses operators and values of the wrong type inside the query', () => {
        expect(list({ query: '{"name":{"$regex":{"$where":"1"}}}' })).toEqual(
            invalidQuery('Invalid query: $regex takes a string pattern and $options a string'),
        );
        expect(list({ query: '{"name":{"$regex":"a","$options":["i"]}}' })).toEqual(
            invalidQuery('Invalid query: $regex takes a string pattern and $options a string'),
        );
        expect(list({ query: '{"name":{"$in":"alice"}}' })).toEqual(invalidQuery('Invalid query: $in needs an array'));
        expect(list({ query: '{"roles":{"$size":-1}}' })).toEqual(invalidQuery('Invalid query: $size takes a non-negative integer'));
        expect(list({ query: '{"name":{"$exists":"yes"}}' })).toEqual(invalidQuery('Invalid query: $exists takes true or false'));
        expect(list({ query: '{"name":{"$type":"javascript"}}' })).toEqual(invalidQuery('Invalid query: $type takes one of string, number, bool, array, null'));
        expect(list({ query: '{"name":{"$gt":{"$function":"x"}}}' })).toEqual(invalidQuery('Invalid query: $gt takes a string, number, boolean or null'));
        expect(list({ query: '{"name":{"$not":"x"}}' })).toEqual(invalidQuery('Invalid query: $not takes a document of operators'));
        expect(list({ query: '{"emails":{"$elemMatch":[1]}}' })).toEqual(invalidQuery('Invalid query: $elemMatch takes a document'));
        expect(list({ query: '{"$or":[1,2]}' })).toEqual(invalidQuery('Invalid query: $or must be a non-empty array of objects'));
        expect(list({ query: '{"$and":{"name":"x"}}' })).toEqual(invalidQuery('Invalid query: $and must be a non-empty array of objects'));
        expect(list({ query: '{"name":{"$options":"i"}}' })).toEqual(invalidQuery('Invalid query: $options without $regex'));
        expect(list({ query: '{"name":{"$regex":"a","$options":"ix"}}' })).toEqual(
            invalidQuery('Invalid query: unsupported regular expression options "ix" (supported: i, m, s)'),
        );
    });
});

describe('hostile input: negative and huge numbers', () => {
    it('refuses negative counts and offsets', () => {
        expect(list({ count: '-1' })).toEqual(invalidParams(COUNT_MESSAGE));
        expect(byStatus({ offset: '-100' })).toEqual(invalidParams(OFFSET_MESSAGE));
        expect(agents({ count: '-0' })).toEqual(invalidParams(COUNT_MESSAGE));
        expect(list({ count: `-${'9'.repeat(400)}` })).toEqual(invalidParams(COUNT_MESSAGE));
    });

    it('clamps a huge count to the upper limit', () => {
        expect(list({ count: '9'.repeat(400) }).content).toMatchObject({ count: 100, total: 1011 });
        expect(list({ count: '9'.repeat(100_000) }).content).toMatchObject({ count: 100, total: 1011 });
    });

    it('answers an empty page to a huge offset (echoed at the largest safe integer)', () => {
        expect(list({ offset: '9'.repeat(400), count: '0' })).toEqual({
            status: 200,
            content: { users: [], count: 0, offset: Number.MAX_SAFE_INTEGER, total: 1011, success: true },
        });
        expect(byStatus({ offset: '9007199254740991' }).content).toMatchObject({ users: [], offset: 9007199254740991, total: 1011 });
    });
});

describe('hostile input: operations that are not allowed', () => {
    it.each([
        ['$where', '"while(true){}"'],
        ['$expr', '{"$function":{"body":"function(){while(true){}}","args":[],"lang":"js"}}'],
        ['$function', '{"body":"x"}'],
        ['$nor', '[{"name":"x"}]'],
        ['$accumulator', '{}'],
        ['$text', '{"$search":"a"}'],
        ['$where', '"sleep(100000)"'],
    ])('refuses the top-level %s', (operation, value) => {
        expect(list({ query: `{"${operation}":${value}}` })).toEqual(invalidQuery(`Invalid operation: ${operation}`));
        expect(list({ query: `{"name":"x","$or":[{"name":"y"}],"${operation}":${value}}` }, USER)).toEqual(invalidQuery(`Invalid operation: ${operation}`));
    });

    it('refuses them nested in $and/$or clauses and conditions', () => {
        expect(list({ query: '{"$or":[{"name":"a"},{"$where":"1"}]}' })).toEqual(invalidQuery('Invalid operation: $where'));
        expect(list({ query: '{"$and":[{"$or":[{"$expr":{}}]}]}' })).toEqual(invalidQuery('Invalid operation: $expr'));
        expect(list({ query: '{"name":{"$not":{"$where":"1"}}}' })).toEqual(invalidQuery('Invalid operation: $where'));
        expect(list({ query: '{"customFields":{"$eq":{"$expr":1}}}' })).toEqual(invalidQuery('Invalid operation: $expr'));
        expect(list({ query: '{"roles":{"$in":[{"$where":"1"}]}}' })).toEqual(invalidQuery('Invalid operation: $where'));
    });
});

describe('hostile input: fields the caller may not see, prototype paths', () => {
    afterAll(() => {
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it.each([
        ['{"__proto__":{"isAdmin":true}}', 'Invalid attribute: __proto__'],
        ['{"__proto__.polluted":1}', 'Invalid attribute: __proto__.polluted'],
        ['{"constructor.prototype.polluted":1}', 'Invalid attribute: constructor.prototype.polluted'],
        ['{"constructor":{"$exists":true}}', 'Invalid attribute: constructor'],
        ['{"name.constructor":"Function"}', 'Invalid attribute: name.constructor'],
        ['{"customFields.__proto__.x":1}', 'Invalid attribute: customFields.__proto__.x'],
        ['{"customFields.prototype":1}', 'Invalid attribute: customFields.prototype'],
        ['{"customFields":{"__proto__":{"polluted":1}}}', 'Invalid attribute: __proto__'],
        ['{"emails":{"$elemMatch":{"__proto__":1}}}', 'Invalid attribute: __proto__'],
        ['{"toString":1}', 'Invalid attribute: toString'],
        ['{"hasOwnProperty":{"$exists":true}}', 'Invalid attribute: hasOwnProperty'],
        ['{"name.":1}', 'Invalid attribute: name.'],
        ['{"":1}', 'Invalid attribute: '],
        ['{"emails.$.address":"a"}', 'Invalid attribute: emails.$.address'],
        ['{"services.resume.loginTokens":{"$exists":true}}', 'Invalid attribute: services.resume.loginTokens'],
    ])('refuses query=%s', (query, message) => {
        expect(list({ query })).toEqual(invalidQuery(message));
    });

    it('refuses fields an ordinary caller may not see, by name', () => {
        expect(list({ query: '{"customFields.clearance":"High"}' }, USER)).toEqual(invalidQuery('Invalid attribute: customFields.clearance'));
        expect(list({ query: '{"$or":[{"emails.address":{"$regex":"^a"}}]}' }, USER)).toEqual(invalidQuery('Invalid attribute: emails.address'));
        expect(list({ query: '{"lastLogin":{"$gt":"2024"}}' }, USER)).toEqual(invalidQuery('Invalid attribute: lastLogin'));
        expect(list({ query: '{"roles":"admin"}' }, USER)).toEqual(invalidQuery('Invalid attribute: roles'));
    });

    it('drops prototype paths in fields and sorts on nothing they name', () => {
        const plain = ids(list({ sort: '{"_id":1}' }, USER));
        const response = list(
            { fields: '{"__proto__":1,"constructor":1,"constructor.prototype":1,"toString":1}', sort: '{"__proto__":1,"constructor":-1,"toString":1}' },
            USER,
        );
        expect(ids(response)).toEqual(plain);
        expect(Object.keys((response.content.users as object[])[0]).sort()).toEqual(['_id', 'active', 'name', 'nameInsensitive', 'status', 'type', 'username']);
    });

    it('leaves prototype keys of the query string out, and refuses them on strict endpoints', () => {
        expect(byStatus(queryString('__proto__[polluted]=1')).status).toBe(200);
        expect(byStatus(queryString('constructor[prototype][polluted]=1'))).toEqual(invalidParams('must NOT have additional properties'));
        expect(agents(queryString('constructor[prototype][polluted]=1'))).toEqual(invalidParams('must NOT have additional properties'));
    });
});

describe('hostile input: catastrophic regular expressions over a 30,000-character name', () => {
    it.each([
        ['(a+)+$', undefined],
        ['(a|aa)+$', undefined],
        ['^(a|a?)+$', undefined],
        ['^(a*)*$', undefined],
        ['(A+)+$', 'i'],
        ['^(a+\\s?)*$', undefined],
        ['(.*a){20}$', undefined],
    ])('matches %s in linear time', (pattern, options) => {
        expect(ids(list({ query: regexQuery(pattern, options) }))).toEqual(['long1']);
    });

    it('answers non-matching patterns in linear time too', () => {
        expect(ids(list({ query: regexQuery('(a+)+c') }))).toEqual([]);
        expect(ids(list({ query: regexQuery('^(a|aa)+c$') }))).toEqual([]);
        expect(ids(list({ query: regexQuery('(a+)+b$') }))).toEqual(['long2']);
    });

    it('keeps the linear engine inside $not, $elemMatch, $or and dotted paths', () => {
        expect(ids(list({ query: '{"name":{"$not":{"$regex":"(a+)+$"}},"username":{"$regex":"^long"}}' }))).toEqual(['long2']);
        expect(ids(list({ query: '{"$or":[{"name":{"$regex":"(a|aa)+$"}},{"username":"alice"}]}' }))).toEqual(['u1', 'long1']);
        const users = [rec({ _id: 'x', username: 'x', emails: [{ address: `${A30K}@x`, verified: true }], customFields: { tags: [A30K, `${A30K}!`] } })];
        const timedList = (query: string) => fast(() => usersList({ query }, { users }));
        expect(ids(timedList('{"emails":{"$elemMatch":{"address":{"$regex":"^(a+)+@x$"}}}}'))).toEqual(['x']);
        expect(ids(timedList('{"emails.address":{"$regex":"(a+)+b"}}'))).toEqual([]);
        expect(ids(timedList('{"customFields.tags":{"$regex":"(a+)+!$"}}'))).toEqual(['x']);
        expect(ids(timedList('{"customFields.tags":{"$elemMatch":{"$regex":"(a|aa)+$"}}}'))).toEqual(['x']);
    });

    it('searches the long name literally on listByStatus and livechat', () => {
        expect(ids(byStatus({ searchTerm: `${'A'.repeat(29_999)}B` }))).toEqual(['long2']);
        expect(ids(byStatus({ searchTerm: '(a+)+$' }))).toEqual([]);
        expect(ids(agents({ text: `${'a'.repeat(20_000)}b` }, AGENT))).toEqual(['long2']);
    });
});

describe('hostile input: look-around and back-references are refused', () => {
    const refused = (pattern: string, detail: string) =>
        invalidQuery(`Invalid query: invalid regular expression /${pattern}/: error parsing regexp: ${detail}`);

    it.each([
        ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
        ['a(?!b)', 'invalid or unsupported Perl syntax: `(?!`'],
        ['(?<=a)b', 'invalid named capture: `(?<=a)b`'],
        ['(?<!a)b', 'invalid named capture: `(?<!a)b`'],
        ['(a)\\1', 'invalid escape sequence: `\\1`'],
        ['(a+)+\\1$', 'invalid escape sequence: `\\1`'],
        ['(?<n>a)\\k<n>', 'invalid escape sequence: `\\k`'],
        ['a{1001}', 'invalid repeat count: `{1001}`'],
        ['[', 'missing closing ]: `[`'],
    ])('refuses %s with error-invalid-query', (pattern, detail) => {
        expect(list({ query: regexQuery(pattern) })).toEqual(refused(pattern, detail));
    });
});

describe('hostile input: very long strings', () => {
    // Node's HTTP server refuses request headers over 16 KB by default, so no query parameter is
    // longer than that; search texts and values that must be refused are tried at a megabyte anyway.
    const LONG = 'x'.repeat(16 * 1024);
    const MEGABYTE = 'x'.repeat(1 << 20);

    it('refuses a regular expression longer than 256 characters', () => {
        expect(list({ query: regexQuery('a'.repeat(257)) })).toEqual(invalidQuery('Invalid query: regular expression longer than 256 characters'));
        expect(list({ query: regexQuery(`(a|b)${'a'.repeat(252)}`) })).toEqual(invalidQuery('Invalid query: regular expression longer than 256 characters'));
    });

    it('runs a regular expression of 256 characters', () => {
        // RE2's cost is linear in the text but grows with the pattern (pattern × text): the length cap bounds it.
        expect(ids(list({ query: regexQuery(`(a|b)${'a'.repeat(251)}`) }))).toEqual(['long1', 'long2']);
        expect(ids(list({ query: regexQuery('a'.repeat(256)) }))).toEqual(['long1', 'long2']);
    });

    it('refuses a query longer than 8192 characters, and lists of more than 100 values', () => {
        const tooLong = invalidQuery('Invalid query: longer than 8192 characters');
        expect(list({ query: JSON.stringify({ username: 'x'.repeat(8192) }) })).toEqual(tooLong);
        const values = Array.from({ length: 101 }, (_, i) => `v${i}`);
        for (const operator of ['$in', '$nin', '$all']) {
            expect(list({ query: JSON.stringify({ roles: { [operator]: values } }) })).toEqual(
                invalidQuery(`Invalid query: ${operator} takes at most 100 values`),
            );
            expect(list({ query: JSON.stringify({ roles: { [operator]: values.slice(1) } }) }).status).toBe(200);
        }
    });

    it('refuses megabyte-long values where they are invalid', () => {
        expect(list({ sort: MEGABYTE })).toEqual(invalidSort(MEGABYTE));
        expect(list({ fields: MEGABYTE })).toEqual(invalidFields(MEGABYTE));
        expect(list({ query: MEGABYTE })).toEqual(invalidQueryParameter(MEGABYTE));
        expect(list({ count: MEGABYTE })).toEqual(invalidParams(COUNT_MESSAGE));
        expect(byStatus({ status: MEGABYTE })).toEqual(invalidParams('must be equal to one of the allowed values'));
        expect(byStatus({ [MEGABYTE]: '1' })).toEqual(invalidParams('must NOT have additional properties'));
        expect(list({ query: JSON.stringify({ [MEGABYTE]: 1 }) })).toEqual(invalidQuery(`Invalid attribute: ${MEGABYTE}`));
        expect(list({ query: JSON.stringify({ username: MEGABYTE }) })).toEqual(invalidQuery('Invalid query: longer than 8192 characters'));
    });

    it('answers megabyte-long search texts', () => {
        expect(byStatus({ searchTerm: MEGABYTE }).content).toMatchObject({ users: [], total: 0 });
        expect(byStatus({ type: MEGABYTE }).content).toMatchObject({ users: [], total: 0 });
        expect(agents({ text: MEGABYTE, excludeId: MEGABYTE }).content).toMatchObject({ users: [], total: 0 });
    });

    it('answers long values inside a query', () => {
        const value = LONG.slice(0, 8000);
        expect(list({ query: JSON.stringify({ username: value }) }).content).toMatchObject({ users: [], total: 0 });
        expect(list({ query: JSON.stringify({ name: { $in: [value, 'Alice Liddell'] } }) }).content).toMatchObject({ total: 1 });
        expect(
            list({ query: JSON.stringify({ name: { $regex: 'a'.repeat(256), $options: 'i' }, username: { $ne: value.slice(0, 7000) } }) }).content,
        ).toMatchObject({ total: 2 });
    });

    it('answers a sort and a fields list with many keys', () => {
        const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
        expect(list({ sort: JSON.stringify(Object.fromEntries(keys.map((k) => [k, 1]))) }).status).toBe(200);
        expect(list({ fields: JSON.stringify(Object.fromEntries(keys.map((k) => [k, 1]))) }).status).toBe(200);
    });
});

describe('hostile input: deeply nested $and/$or', () => {
    const nested = (depth: number, operator = '$and') => `${`{"${operator}":[`.repeat(depth)}{"username":"alice"}${']}'.repeat(depth)}`;
    const TOO_DEEP = invalidQuery('Invalid query: nested deeper than 8 levels');

    it('accepts a few levels', () => {
        expect(ids(list({ query: nested(3) }))).toEqual(['u1']);
        expect(ids(list({ query: nested(7, '$or') }))).toEqual(['u1']);
    });

    it.each([8, 100, 10_000])('refuses %i levels', (depth) => {
        expect(list({ query: nested(depth) })).toEqual(TOO_DEEP);
        expect(list({ query: nested(depth, '$or') })).toEqual(TOO_DEEP);
    });

    it('refuses deeply nested conditions and literals as well', () => {
        expect(list({ query: `{"name":{"$not":${'{"$not":'.repeat(5_000)}{"$eq":"x"}${'}'.repeat(5_000)}}}` })).toEqual(TOO_DEEP);
        expect(list({ query: `{"customFields":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}` })).toEqual(TOO_DEEP);
        expect(list({ query: `{"roles":{"$in":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}}` })).toEqual(TOO_DEEP);
    });
});
