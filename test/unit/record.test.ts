import { EngineUser, isPlainObject, RECORD_FIELDS, toUserRecord } from '../../src/core/record';

const ENGINE_USER: EngineUser = {
    id: 'W7MRNgkYLXKKAGNvW',
    username: 'agent1',
    name: 'Agent 1',
    emails: [{ address: 'agent1@example.com', verified: false }],
    type: 'user',
    roles: ['user', 'livechat-agent'],
    status: 'offline',
    isEnabled: true,
    lastLoginAt: new Date('2024-04-24T17:47:50.485Z'),
    createdAt: '2024-01-02T03:04:05.006Z',
    updatedAt: new Date('2024-04-29T16:38:56.809Z'),
    utcOffset: -3,
    statusText: 'At lunch',
    customFields: { clearance: 'High', team: 'Queen' },
    isFederated: false,
    sipExtension: '2002',
};

describe("toUserRecord: the engine's IUser in Rocket.Chat's shape", () => {
    it('renames and converts every field', () => {
        expect(toUserRecord(ENGINE_USER)).toEqual({
            _id: 'W7MRNgkYLXKKAGNvW',
            username: 'agent1',
            name: 'Agent 1',
            emails: [{ address: 'agent1@example.com', verified: false }],
            type: 'user',
            roles: ['user', 'livechat-agent'],
            status: 'offline',
            active: true,
            lastLogin: '2024-04-24T17:47:50.485Z',
            createdAt: '2024-01-02T03:04:05.006Z',
            _updatedAt: '2024-04-29T16:38:56.809Z',
            utcOffset: -3,
            statusText: 'At lunch',
            customFields: { clearance: 'High', team: 'Queen' },
            federated: false,
            freeSwitchExtension: '2002',
            nameInsensitive: 'agent 1',
        });
    });

    it('turns dates given as Date objects or strings into ISO strings, and drops invalid ones', () => {
        const asDates = toUserRecord({ id: 'a', lastLoginAt: new Date(Date.UTC(2024, 0, 1)), createdAt: new Date(0) });
        expect(asDates).toMatchObject({ lastLogin: '2024-01-01T00:00:00.000Z', createdAt: '1970-01-01T00:00:00.000Z' });
        const asStrings = toUserRecord({ id: 'b', lastLoginAt: '2024-01-01T01:00:00+01:00', updatedAt: '2024-02-03T04:05:06.007Z' });
        expect(asStrings).toMatchObject({ lastLogin: '2024-01-01T00:00:00.000Z', _updatedAt: '2024-02-03T04:05:06.007Z' });
        const invalid = toUserRecord({ id: 'c', lastLoginAt: 'not a date', createdAt: new Date(NaN), updatedAt: null as unknown as string });
        expect(invalid).toEqual({ _id: 'c', nameInsensitive: '' });
    });

    it('maps isEnabled to active, keeping false and leaving it out when unknown', () => {
        expect(toUserRecord({ id: 'a', isEnabled: false }).active).toBe(false);
        expect(toUserRecord({ id: 'a', isEnabled: true }).active).toBe(true);
        expect('active' in toUserRecord({ id: 'a' })).toBe(false);
    });

    it('derives nameInsensitive from name, "" without one', () => {
        expect(toUserRecord({ id: 'a', name: 'ÉMILE Zola' }).nameInsensitive).toBe('émile zola');
        expect(toUserRecord({ id: 'a' }).nameInsensitive).toBe('');
        expect(toUserRecord({ id: 'a', name: 42 as unknown as string })).toEqual({ _id: 'a', nameInsensitive: '' });
    });

    it('maps sipExtension to freeSwitchExtension and isFederated to federated', () => {
        expect(toUserRecord({ id: 'a', sipExtension: '100', isFederated: true })).toEqual({
            _id: 'a',
            freeSwitchExtension: '100',
            federated: true,
            nameInsensitive: '',
        });
    });

    it('keeps only well-formed emails, roles and custom fields', () => {
        const record = toUserRecord({
            id: 'a',
            emails: [
                { address: 'ok@x.io', verified: true },
                { address: 7 },
                null as never,
                { address: 'no-flag@x.io' },
                { address: 'truthy@x.io', verified: 'yes' },
            ],
            roles: ['user', 3 as unknown as string, 'bot'],
            customFields: ['not', 'an', 'object'] as unknown as Record<string, unknown>,
        });
        expect(record).toEqual({
            _id: 'a',
            emails: [
                { address: 'ok@x.io', verified: true },
                { address: 'no-flag@x.io', verified: false },
                { address: 'truthy@x.io', verified: false },
            ],
            roles: ['user', 'bot'],
            nameInsensitive: '',
        });
    });

    it('leaves out fields of the wrong type instead of passing them on', () => {
        const odd = { id: 12, username: ['x'], type: 1, status: {}, isEnabled: 'yes', utcOffset: '3', statusText: 5, isFederated: 'no', sipExtension: 100 };
        expect(toUserRecord(odd as unknown as EngineUser)).toEqual({ _id: '12', nameInsensitive: '' });
    });

    it('only produces fields listed in RECORD_FIELDS', () => {
        expect(Object.keys(toUserRecord(ENGINE_USER)).every((field) => (RECORD_FIELDS as readonly string[]).includes(field))).toBe(true);
        expect([...RECORD_FIELDS].sort()).toEqual(Object.keys(toUserRecord(ENGINE_USER)).sort());
    });

    it('isPlainObject accepts documents only', () => {
        expect([{}, { a: 1 }].every(isPlainObject)).toBe(true);
        expect([null, [], 'x', 1, undefined].some(isPlainObject)).toBe(false);
    });
});
