import { UserRecord } from '../../src/core/record';
import {
    ADMIN,
    ALICE,
    BOSS,
    caller,
    GUEST,
    GHOST,
    ids,
    invalidFields,
    invalidQuery,
    invalidQueryParameter,
    page,
    rec,
    rows,
    SMITH,
    DIALOG_BOT,
    STAFF,
    UNAUTHORIZED,
    USER,
    usersList,
} from './fixtures';

const ORDINARY_FIELDS = ['_id', 'name', 'username', 'status', 'active', 'type', 'nameInsensitive'];
const PRIVILEGED_FIELDS = [...ORDINARY_FIELDS, 'emails', 'roles', 'lastLogin'];

/** The expected row: the record's values of the given fields, where it has them. */
function row(user: UserRecord, fields: string[]): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const field of fields) {
        const value = (user as unknown as Record<string, unknown>)[field];
        if (value !== undefined) {
            result[field] = value;
        }
    }
    return result;
}

const byUsername = (users: UserRecord[]) => [...users].sort((a, b) => ((a.username ?? '') < (b.username ?? '') ? -1 : 1));

describe('users.list: projection', () => {
    it('gives an ordinary caller _id, name, username, status, active, type and nameInsensitive', () => {
        expect(rows(usersList({ query: '{"_id":"u1"}' }, { caller: USER }))).toEqual([
            { _id: 'u1', username: 'alice', name: 'Alice Liddell', status: 'online', active: true, type: 'user', nameInsensitive: 'alice liddell' },
        ]);
    });

    it('also gives emails, roles and lastLogin to a caller with view-full-other-user-info', () => {
        expect(rows(usersList({ query: '{"_id":"u1"}' }, { caller: ADMIN }))).toEqual([
            {
                _id: 'u1',
                username: 'alice',
                name: 'Alice Liddell',
                status: 'online',
                active: true,
                type: 'user',
                nameInsensitive: 'alice liddell',
                emails: [{ address: 'alice@wonder.land', verified: true }],
                roles: ['user'],
                lastLogin: '2024-04-24T17:47:50.485Z',
            },
        ]);
    });

    it('shapes the whole listing that way, in the success envelope', () => {
        const visible = byUsername(STAFF.filter((user) => user.username !== undefined || user.name !== undefined));
        expect(usersList({}, { caller: USER })).toEqual(
            page(
                visible.map((user) => row(user, ORDINARY_FIELDS)),
                visible.length,
            ),
        );
        const privileged = [GHOST, ...visible];
        expect(usersList({}, { caller: ADMIN })).toEqual(
            page(
                privileged.map((user) => row(user, PRIVILEGED_FIELDS)),
                privileged.length,
            ),
        );
    });

    it('gives nameInsensitive "" to a user without a name', () => {
        expect(rows(usersList({ query: '{"username":"nostatus"}' }, { caller: USER }))).toEqual([
            { _id: 'u9', username: 'nostatus', active: false, nameInsensitive: '' },
        ]);
    });
});

describe('users.list: base filter', () => {
    const users = [
        rec({ _id: 'b1', username: 'only.username' }),
        rec({ _id: 'b2', name: 'Only Name' }),
        rec({ _id: 'b3', emails: [{ address: 'only@email.io', verified: false }] }),
        rec({ _id: 'b4' }),
        rec({ _id: 'b5', username: '' }),
        rec({ _id: 'b6', emails: [] }),
        rec({ _id: 'b7', username: 'deactivated.bot', type: 'bot', active: false }),
    ];

    it('lists users with a string username or name, active or not, of any type', () => {
        expect(ids(usersList({ sort: '{"_id":1}' }, { users, caller: USER }))).toEqual(['b1', 'b2', 'b5', 'b7']);
    });

    it('also lists users with an email to callers with view-full-other-user-info', () => {
        expect(ids(usersList({ sort: '{"_id":1}' }, { users, caller: ADMIN }))).toEqual(['b1', 'b2', 'b3', 'b5', 'b7']);
    });

    it('keeps the base filter under a query without a top-level $or', () => {
        expect(ids(usersList({ query: '{"_id":"b4"}' }, { users }))).toEqual([]);
        expect(ids(usersList({ query: '{"$and":[{"_id":{"$in":["b2","b4"]}}]}' }, { users }))).toEqual(['b2']);
    });

    it('replaces the base filter with a top-level $or from the query', () => {
        expect(ids(usersList({ query: '{"$or":[{"_id":"b4"},{"_id":"b6"}]}', sort: '{"_id":1}' }, { users, caller: USER }))).toEqual(['b4', 'b6']);
        expect(rows(usersList({ query: '{"$or":[{"_id":"b4"}]}' }, { users, caller: USER }))).toEqual([{ _id: 'b4', nameInsensitive: '' }]);
    });

    it('combines a top-level $or with the other conditions of the query', () => {
        const query = '{"$or":[{"_id":"b4"},{"_id":"b7"},{"_id":"b1"}],"active":false}';
        expect(ids(usersList({ query }, { users }))).toEqual(['b7']);
    });
});

describe('users.list: fields', () => {
    const one = (fields: string, who = USER) => rows(usersList({ query: '{"_id":"u1"}', fields }, { caller: who }))[0];
    const ordinaryAlice = row(ALICE, ORDINARY_FIELDS);
    const privilegedAlice = row(ALICE, PRIVILEGED_FIELDS);

    it('adds the included fields to the default projection', () => {
        expect(one('{"utcOffset":1,"statusText":1,"federated":1}')).toEqual({
            ...ordinaryAlice,
            utcOffset: 1,
            statusText: 'Down the rabbit hole',
            federated: false,
        });
    });

    it('only counts inclusions: an exclusion removes nothing', () => {
        expect(one('{"username":0,"name":0,"_id":0}')).toEqual(ordinaryAlice);
        expect(one('{"utcOffset":0}')).toEqual(ordinaryAlice);
    });

    it.each([
        'emails',
        'phone',
        'statusConnection',
        'createdAt',
        'lastLogin',
        'services',
        'roles',
        'statusDefault',
        '_updatedAt',
        'customFields',
        'settings',
        'avatarOrigin',
        'requirePasswordChange',
        'requirePasswordChangeReason',
    ])('drops %s for an ordinary caller, alone or as the first segment of a dotted key', (hidden) => {
        expect(one(JSON.stringify({ [hidden]: 1, utcOffset: 1 }))).toEqual({ ...ordinaryAlice, utcOffset: 1 });
        expect(one(JSON.stringify({ [`${hidden}.x`]: 1, [`${hidden}.address`]: 1 }))).toEqual(ordinaryAlice);
    });

    it('drops dotted keys into hidden fields (emails.address, customFields.clearance)', () => {
        expect(one('{"emails.address":1,"customFields.clearance":1}')).toEqual(ordinaryAlice);
    });

    it("returns customFields to an admin who asks for them (the docs' example)", () => {
        expect(one('{"customFields":1}', ADMIN)).toEqual({ ...privilegedAlice, customFields: { clearance: 'High', team: 'Queen' } });
    });

    it('lets a privileged caller select every other field, whole or in parts', () => {
        expect(one('{"createdAt":1,"_updatedAt":1,"utcOffset":1,"statusText":1,"federated":1,"freeSwitchExtension":1}', ADMIN)).toEqual({
            ...privilegedAlice,
            createdAt: '2020-01-01T00:00:00.000Z',
            _updatedAt: '2024-04-24T17:47:50.485Z',
            utcOffset: 1,
            statusText: 'Down the rabbit hole',
            federated: false,
            freeSwitchExtension: '1001',
        });
        expect(one('{"customFields.clearance":1}', ADMIN)).toEqual({ ...privilegedAlice, customFields: { clearance: 'High' } });
        expect(one('{"customFields.nothing":1}', ADMIN)).toEqual(privilegedAlice);
    });

    it('keeps a whole field whole when a part of it is also asked for', () => {
        expect(one('{"emails.verified":1}', ADMIN)).toEqual(privilegedAlice);
        expect(one('{"customFields.team":1,"customFields":1}', ADMIN)).toEqual({ ...privilegedAlice, customFields: ALICE.customFields });
    });

    it('picks a part out of every element of an array of documents', () => {
        const users = [rec({ _id: 'x', username: 'x', customFields: { phones: [{ kind: 'work', number: '1' }, { kind: 'home' }, 'loose'] } })];
        expect(rows(usersList({ fields: '{"customFields.phones.number":1}' }, { users }))[0].customFields).toEqual({ phones: [{ number: '1' }, {}] });
    });

    it('gives the voice extension to callers with view-user-voip-extension only', () => {
        expect(one('{"freeSwitchExtension":1}', USER)).toEqual({ ...ordinaryAlice, freeSwitchExtension: '1001' });
        expect(one('{"freeSwitchExtension":1}', GUEST)).toEqual(ordinaryAlice);
    });

    it.each([
        '{"name":2}',
        '{"name":-1}',
        '{"name":"1"}',
        '{"name":true}',
        '{"name":null}',
        '{"name":{"$slice":1}}',
        '{"":1}',
        '[]',
        '["name"]',
        '"name"',
        'name',
        '{name:1}',
        'null',
        '1',
        '',
    ])('refuses fields=%j with error-invalid-fields', (fields) => {
        expect(usersList({ fields })).toEqual(invalidFields(fields));
    });

    it('ignores fields entirely, even invalid ones, when the query-and-fields setting is off', () => {
        const off = { config: { allowQueryAndFields: false }, caller: ADMIN };
        expect(rows(usersList({ fields: '{"customFields":1}', query: '{"_id":"u1"}' }, off)).find((user) => user._id === 'u1')).toEqual(privilegedAlice);
        expect(usersList({ fields: 'not json' }, off).status).toBe(200);
    });
});

describe('users.list: query', () => {
    it('matches the docs\' example {"name":{"$regex":"g"}} (case-sensitive, unanchored)', () => {
        expect(rows(usersList({ query: '{"name": {"$regex": "g"}}' }, { caller: USER })).map((user) => user.name)).toEqual([
            'Agent Smith',
            'Big Boss',
            'Dialog Bot',
        ]);
    });

    it('answers the docs\' example query={"customFields.clearance" : "High"}&fields={"customFields" : 1} for an admin', () => {
        expect(usersList({ query: '{"customFields.clearance" : "High"}', fields: '{"customFields" : 1}' }, { caller: ADMIN })).toEqual(
            page([{ ...row(ALICE, PRIVILEGED_FIELDS), customFields: { clearance: 'High', team: 'Queen' } }], 1),
        );
    });

    it('refuses conditions on fields an ordinary caller may not see, naming the attribute', () => {
        expect(usersList({ query: '{"customFields.clearance":"High"}' }, { caller: USER })).toEqual(invalidQuery('Invalid attribute: customFields.clearance'));
        expect(usersList({ query: '{"emails.address":"alice@wonder.land"}' }, { caller: USER })).toEqual(invalidQuery('Invalid attribute: emails.address'));
        expect(usersList({ query: '{"lastLogin":{"$exists":true}}' }, { caller: USER })).toEqual(invalidQuery('Invalid attribute: lastLogin'));
        expect(usersList({ query: '{"$or":[{"name":"x"},{"roles":"admin"}]}' }, { caller: USER })).toEqual(invalidQuery('Invalid attribute: roles'));
        expect(usersList({ query: '{"freeSwitchExtension":"1001"}' }, { caller: GUEST })).toEqual(invalidQuery('Invalid attribute: freeSwitchExtension'));
    });

    it('lets a privileged caller query into visible fields with dotted paths', () => {
        expect(ids(usersList({ query: '{"emails.address":"alice@wonder.land"}' }, { caller: ADMIN }))).toEqual(['u1']);
        expect(ids(usersList({ query: '{"customFields.clearance":{"$in":["Low","High"]}}' }, { caller: ADMIN }))).toEqual(['u2', 'u1']);
    });

    it('refuses fields nobody may query: services, unknown fields', () => {
        expect(usersList({ query: '{"services.password.bcrypt":{"$exists":true}}' }, { caller: ADMIN })).toEqual(
            invalidQuery('Invalid attribute: services.password.bcrypt'),
        );
        expect(usersList({ query: '{"password":"x"}' }, { caller: ADMIN })).toEqual(invalidQuery('Invalid attribute: password'));
    });

    it.each(['$where', '$expr', '$function', '$nor', '$text', '$jsonSchema', '$comment', '$not'])('refuses the top-level operation %s', (operation) => {
        const query = JSON.stringify({ [operation]: operation === '$nor' ? [{ name: 'x' }] : 'sleep(10000) || true' });
        expect(usersList({ query })).toEqual(invalidQuery(`Invalid operation: ${operation}`));
    });

    it('refuses operations off the allow-list inside a condition', () => {
        expect(usersList({ query: '{"name":{"$where":"true"}}' })).toEqual(invalidQuery('Invalid operation: $where'));
        expect(usersList({ query: '{"name":{"$mod":[2,0]}}' })).toEqual(invalidQuery('Invalid operation: $mod'));
        expect(usersList({ query: '{"name":{"$eq":{"$function":{"body":"x"}}}}' })).toEqual(invalidQuery('Invalid operation: $function'));
        expect(usersList({ query: '{"emails":{"$elemMatch":{"address":{"$accumulator":1}}}}' })).toEqual(invalidQuery('Invalid operation: $accumulator'));
    });

    it('evaluates the allowed operators as MongoDB does', () => {
        const q = (query: string) => ids(usersList({ query, sort: '{"_id":1}' }, { caller: ADMIN }));
        expect(q('{"username":{"$in":["alice","boss","nobody"]}}')).toEqual(['u1', 'u6']);
        expect(q('{"type":{"$nin":["user"]}}')).toEqual(['u3', 'u7', 'u9']);
        expect(q('{"type":{"$ne":"user"},"active":true}')).toEqual(['u3', 'u7']);
        expect(q('{"status":{"$exists":false}}')).toEqual(['u9']);
        expect(q('{"name":{"$gte":"Old","$lt":"Z"}}')).toEqual(['u3', 'u4']);
        expect(q('{"roles":{"$size":2}}')).toEqual(['u2', 'u5', 'u6', 'u7']);
        expect(q('{"roles":{"$all":["bot","livechat-agent"]}}')).toEqual(['u7']);
        expect(q('{"roles":"admin"}')).toEqual(['u6']);
        expect(q('{"emails":{"$elemMatch":{"verified":false,"address":{"$regex":"\\\\.io$"}}}}')).toEqual(['u2', 'u8']);
        expect(q('{"name":{"$not":{"$regex":"^[A-O]"}}}')).toEqual(['u2', 'u3', 'u8', 'u9']);
        expect(q('{"name":{"$regex":"BOT$","$options":"i"}}')).toEqual(['u7']);
        expect(q('{"name":{"$type":"string"},"username":{"$regex":"^[a-c]"}}')).toEqual(['u1', 'u5', 'u6']);
        expect(q('{"$and":[{"active":true},{"$or":[{"type":"bot"},{"status":"away"}]}]}')).toEqual(['u3', 'u6', 'u7']);
        expect(q('{"name":null}')).toEqual(['u8', 'u9']);
        expect(q('{"customFields":{"clearance":"Low"}}')).toEqual(['u2']);
    });

    it.each(['{"name":', 'name', '[]', '[{"name":"x"}]', 'null', '"x"', '42', ''])('refuses the malformed query=%j', (query) => {
        expect(usersList({ query })).toEqual(invalidQueryParameter(query));
    });

    it('ignores the query entirely, even an invalid one, when the query-and-fields setting is off', () => {
        const off = { config: { allowQueryAndFields: false }, caller: USER };
        const everyone = ids(usersList({}, off));
        expect(ids(usersList({ query: '{"_id":"u1"}' }, off))).toEqual(everyone);
        expect(ids(usersList({ query: '{"$where":"true"}' }, off))).toEqual(everyone);
        expect(ids(usersList({ query: '{"$or":[{"_id":"u8"}]}' }, off))).not.toContain('u8');
    });
});

describe('users.list: the view-outside-room gate setting', () => {
    it('is off by default: view-d-room is enough', () => {
        expect(usersList({}, { caller: GUEST }).status).toBe(200);
        expect(usersList({}, { caller: caller(['bot']) }).status).toBe(200);
    });

    it('when on, also requires view-outside-room', () => {
        const on = { applyViewOutsideRoom: true };
        expect(usersList({}, { caller: GUEST, config: on })).toEqual(UNAUTHORIZED);
        expect(usersList({}, { caller: caller(['bot']), config: on })).toEqual(UNAUTHORIZED);
        expect(usersList({}, { caller: USER, config: on }).status).toBe(200);
        expect(usersList({}, { caller: caller(['guest', 'moderator']), config: on }).status).toBe(200);
    });
});

describe('users.list: other parameters', () => {
    it('ignores unknown parameters', () => {
        expect(usersList({ status: 'all', roles: 'x', searchTerm: 'alice', foo: ['bar'] }, { caller: USER })).toEqual(usersList({}, { caller: USER }));
    });

    it('lists deactivated users and bots alike', () => {
        expect(ids(usersList({ query: '{"$or":[{"active":false},{"type":"bot"}]}', sort: '{"_id":1}' }))).toEqual(['u3', 'u4', 'u7', 'u9']);
        expect(ids(usersList({ query: '{"_id":{"$in":["u5","u6","u7"]}}' }))).toEqual([SMITH._id, BOSS._id, DIALOG_BOT._id]);
    });
});
