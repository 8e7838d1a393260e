import { PERMISSION_DEFAULTS } from '../../src/core/config';
import { ADMIN, ALICE, caller, config, GUEST, ids, invalidParams, page, queryString, rec, rows, STAFF, USER, usersByStatus } from './fixtures';

const BY_STATUS_FIELDS = ['_id', 'name', 'username', 'emails', 'roles', 'status', 'active', 'lastLogin', 'type', 'federated'];

const ALL_BY_USERNAME = ['u8', 'u2', 'u5', 'u1', 'u6', 'u7', 'u9', 'u4', 'u3'];

describe('users.listByStatus: strict parameters', () => {
    it.each(['fields', 'query', 'role', 'text', 'foo'])('refuses the unknown parameter %s', (name) => {
        expect(usersByStatus({ [name]: '{}' })).toEqual(invalidParams('must NOT have additional properties'));
    });

    it('reports every problem, joined with "\\n "', () => {
        expect(usersByStatus({ fields: '{}', query: '{}' })).toEqual(
            invalidParams('must NOT have additional properties', 'must NOT have additional properties'),
        );
        expect(usersByStatus({ status: 'all', roles: 'admin', hasLoggedIn: 'maybe' })).toEqual(
            invalidParams('must be equal to one of the allowed values', 'must be boolean', 'must be array'),
        );
        expect(usersByStatus({ status: ['active'] })).toEqual(invalidParams('must be string', 'must be equal to one of the allowed values'));
    });

    it.each(['all', 'inactive', 'Active', ''])('refuses status=%j', (status) => {
        expect(usersByStatus({ status })).toEqual(invalidParams('must be equal to one of the allowed values'));
    });

    it.each(['yes', '1x', '', 'TRUE!'])('refuses hasLoggedIn=%j', (hasLoggedIn) => {
        expect(usersByStatus({ hasLoggedIn })).toEqual(invalidParams('must be boolean'));
    });

    it('refuses arrays where a string is expected', () => {
        expect(usersByStatus({ type: ['user', 'bot'] })).toEqual(invalidParams('must be string'));
        expect(usersByStatus({ searchTerm: ['a', 'b'] })).toEqual(invalidParams('must be string'));
        expect(usersByStatus({ hasLoggedIn: ['true'] })).toEqual(invalidParams('must be boolean'));
    });

    it('refuses a single plain roles=a (a string) with "must be array"', () => {
        expect(usersByStatus(queryString('roles=admin'))).toEqual(invalidParams('must be array'));
        expect(usersByStatus({ roles: { 0: 'admin' } })).toEqual(invalidParams('must be array'));
    });

    it('accepts pagination and sort next to its own parameters', () => {
        expect(
            usersByStatus({
                status: 'active',
                hasLoggedIn: 'true',
                type: 'user',
                roles: ['user'],
                searchTerm: 'a',
                sort: '{"name":1}',
                count: '5',
                offset: '0',
            }).status,
        ).toBe(200);
    });
});

describe('users.listByStatus: filter', () => {
    const list = (query: Record<string, unknown>, who = ADMIN) => ids(usersByStatus(query, { caller: who }));

    it('lists everyone, active or not, when no filter is given', () => {
        expect(list({})).toEqual(ALL_BY_USERNAME);
    });

    it('status=active keeps active users, status=deactivated inactive ones', () => {
        expect(list({ status: 'active' })).toEqual(['u8', 'u2', 'u5', 'u1', 'u6', 'u7', 'u3']);
        expect(list({ status: 'deactivated' })).toEqual(['u9', 'u4']);
    });

    it('hasLoggedIn ("true"/"false" coerced) tests whether lastLogin exists, not its value', () => {
        expect(list({ hasLoggedIn: 'true' })).toEqual(['u2', 'u5', 'u1', 'u6', 'u4']);
        expect(list({ hasLoggedIn: 'false' })).toEqual(['u8', 'u7', 'u9', 'u3']);
        expect(list({ hasLoggedIn: true })).toEqual(list({ hasLoggedIn: 'true' }));
        const epoch = [rec({ _id: 'e', username: 'e', lastLogin: '1970-01-01T00:00:00.000Z' })];
        expect(ids(usersByStatus({ hasLoggedIn: 'true' }, { users: epoch }))).toEqual(['e']);
    });

    it('type matches exactly, and an empty type is ignored', () => {
        expect(list({ type: 'bot' })).toEqual(['u7', 'u3']);
        expect(list({ type: 'Bot' })).toEqual([]);
        expect(list({ type: 'bo' })).toEqual([]);
        expect(list({ type: '' })).toEqual(ALL_BY_USERNAME);
    });

    it('roles keeps users with any of them, whether sent as roles[]= or repeated roles=', () => {
        expect(list(queryString('roles[]=bot&roles[]=livechat-manager'))).toEqual(['u6', 'u7', 'u3']);
        expect(list(queryString('roles=bot&roles=livechat-manager'))).toEqual(['u6', 'u7', 'u3']);
        expect(list(queryString('roles[]=admin'))).toEqual(['u6']);
        expect(list(queryString('roles[]=nobody'))).toEqual([]);
    });

    it('roles does not filter when the list is empty or contains "all"', () => {
        expect(list({ roles: [] })).toEqual(ALL_BY_USERNAME);
        expect(list(queryString('roles[]=bot&roles[]=all'))).toEqual(ALL_BY_USERNAME);
        expect(list(queryString('roles[]=all'))).toEqual(ALL_BY_USERNAME);
    });

    it('combines every filter', () => {
        expect(list({ status: 'active', hasLoggedIn: 'true', type: 'user', ...queryString('roles[]=livechat-agent'), searchTerm: 'SMITH' })).toEqual(['u5']);
    });
});

describe('users.listByStatus: inactiveReason (Rocket.Chat 8), from the user data the engine has', () => {
    // The engine's users have no inactiveReason: deactivated and never logged in reads as awaiting approval.
    const users = [
        rec({ _id: 'active', username: 'active', type: 'user', active: true, lastLogin: '2024-01-01T00:00:00.000Z' }),
        rec({ _id: 'fresh', username: 'fresh', type: 'user', active: true }),
        rec({ _id: 'left', username: 'left', type: 'user', active: false, lastLogin: '2023-01-01T00:00:00.000Z' }),
        rec({ _id: 'waiting', username: 'waiting', type: 'user', active: false }),
        rec({ _id: 'old.bot', username: 'old.bot', type: 'bot', active: false }),
    ];
    const list = (text: string) => ids(usersByStatus(queryString(text), { users }));

    it("answers the admin Users page's Pending tab with the deactivated users who never logged in", () => {
        expect(list('inactiveReason[]=pending_approval&searchTerm=&sort=%7B%20%22name%22%3A%201%20%7D&status=deactivated&type=user')).toEqual(['waiting']);
    });

    it('answers its Deactivated tab with the deactivated users who logged in', () => {
        expect(list('inactiveReason[]=deactivated&inactiveReason[]=idle_too_long&status=deactivated')).toEqual(['left']);
        expect(list('inactiveReason[]=idle_too_long&status=deactivated')).toEqual(['left']);
    });

    it('counts every user but those awaiting approval as deactivated, as Rocket.Chat counts users without a reason', () => {
        expect(list('inactiveReason[]=deactivated')).toEqual(['active', 'fresh', 'left']);
        expect(list('inactiveReason[]=pending_approval')).toEqual(['old.bot', 'waiting']);
        expect(list('inactiveReason[]=pending_approval&inactiveReason[]=deactivated')).toEqual(['active', 'fresh', 'left', 'old.bot', 'waiting']);
    });

    it('refuses any other reason, and a plain string, with the documented 400', () => {
        expect(usersByStatus(queryString('inactiveReason[]=banned'), { users })).toEqual(invalidParams('must be equal to one of the allowed values'));
        expect(usersByStatus(queryString('inactiveReason[]=Deactivated&inactiveReason[]=deactivated'), { users })).toEqual(
            invalidParams('must be equal to one of the allowed values'),
        );
        expect(usersByStatus(queryString('inactiveReason=deactivated'), { users })).toEqual(invalidParams('must be array'));
    });
});

describe('users.listByStatus: searchTerm', () => {
    const users = [
        rec({ _id: 's1', username: 'rocket.cat', name: 'Rocket Cat', emails: [{ address: 'cat@rocket.chat', verified: true }] }),
        rec({ _id: 's2', username: 'rocketxcat', name: 'Catherine', emails: [{ address: 'kate@mail.io', verified: true }] }),
        rec({ _id: 's3', username: 'a+b', name: '(Paren) [Bracket] *star* ^caret$ back\\slash' }),
        rec({ _id: 's4', username: 'plain', name: 'Plain User', emails: [{ address: 'hidden.match@corp.io', verified: false }] }),
        rec({ _id: 's5', username: 'dot.star', name: 'Has .* In It' }),
    ];
    const search = (searchTerm: string, who = USER) => ids(usersByStatus({ searchTerm }, { users, caller: who }));

    it('matches an unanchored, case-insensitive substring of username or name', () => {
        expect(search('CAT')).toEqual(['s1', 's2']);
        expect(search('ocket')).toEqual(['s1', 's2']);
        expect(search('herin')).toEqual(['s2']);
    });

    it('matches the text literally: regular expression characters are escaped', () => {
        expect(search('rocket.cat')).toEqual(['s1']);
        expect(search('.')).toEqual(['s5', 's1']);
        expect(search('.*')).toEqual(['s5']);
        expect(search('a+b')).toEqual(['s3']);
        expect(search('(paren) [bracket] *STAR* ^caret$ back\\slash')).toEqual(['s3']);
        expect(search('^caret$')).toEqual(['s3']);
        expect(search('(')).toEqual(['s3']);
        expect(search('[')).toEqual(['s3']);
    });

    it('is skipped when its trimmed value is empty', () => {
        expect(search('')).toEqual(['s3', 's5', 's4', 's1', 's2']);
        expect(search('   ')).toEqual(['s3', 's5', 's4', 's1', 's2']);
        expect(search('\t\n')).toEqual(['s3', 's5', 's4', 's1', 's2']);
    });

    it('matches the untrimmed text', () => {
        expect(search(' cat')).toEqual(['s1']);
        expect(search('cat ')).toEqual([]);
        expect(search('Plain ')).toEqual(['s4']);
    });

    it('matches email addresses only for callers with view-full-other-user-info', () => {
        expect(search('hidden.match', USER)).toEqual([]);
        expect(search('hidden.match', ADMIN)).toEqual(['s4']);
        expect(search('kate@', ADMIN)).toEqual(['s2']);
        expect(search('@ROCKET.chat', ADMIN)).toEqual(['s1']);
    });
});

describe('users.listByStatus: projection', () => {
    const alice = (who = USER, permissionRoles?: Record<string, string[]>) => {
        const settings = config();
        for (const [permission, roles] of Object.entries(permissionRoles ?? {})) {
            settings.permissionRoles[permission as keyof typeof PERMISSION_DEFAULTS] = new Set(roles);
        }
        return rows(usersByStatus({ searchTerm: 'alice liddell' }, { caller: who, config: settings }))[0];
    };
    const base = {
        _id: 'u1',
        name: 'Alice Liddell',
        username: 'alice',
        emails: [{ address: 'alice@wonder.land', verified: true }],
        roles: ['user'],
        status: 'online',
        active: true,
        lastLogin: '2024-04-24T17:47:50.485Z',
        type: 'user',
        federated: false,
    };

    it('is the same for every caller, emails included, plus freeSwitchExtension for those who may see it', () => {
        expect(alice(USER)).toEqual({ ...base, freeSwitchExtension: '1001' });
        expect(alice(ADMIN)).toEqual({ ...base, freeSwitchExtension: '1001' });
        expect(alice(GUEST)).toEqual(base);
    });

    it('gives freeSwitchExtension through either view-full-other-user-info or view-user-voip-extension', () => {
        expect(alice(USER, { 'view-user-voip-extension': ['admin'] })).toEqual(base);
        expect(alice(GUEST, { 'view-full-other-user-info': ['guest'] })).toEqual({ ...base, freeSwitchExtension: '1001' });
        expect(alice(GUEST, { 'view-user-voip-extension': ['guest'] })).toEqual({ ...base, freeSwitchExtension: '1001' });
    });

    it('shapes every row with the listed fields only', () => {
        const response = usersByStatus({ count: '0' }, { caller: GUEST });
        const expected = ALL_BY_USERNAME.map((id) => {
            const user = STAFF.find((candidate) => candidate._id === id)!;
            return Object.fromEntries(
                BY_STATUS_FIELDS.filter((field) => field in user).map((field) => [field, (user as unknown as Record<string, unknown>)[field]]),
            );
        });
        expect(response).toEqual(page(expected, STAFF.length));
        expect(rows(response)[3]).toEqual({ ...base });
        expect(Object.keys(ALICE)).toEqual(expect.arrayContaining(['customFields', 'createdAt', 'statusText', 'nameInsensitive']));
    });
});

describe('users.listByStatus: sort', () => {
    it('sorts by username by default and by the given keys otherwise', () => {
        expect(ids(usersByStatus({}))).toEqual(ALL_BY_USERNAME);
        expect(ids(usersByStatus({ sort: '{"name":-1}' }))).toEqual(['u2', 'u3', 'u4', 'u7', 'u6', 'u1', 'u5', 'u8', 'u9']);
        expect(ids(usersByStatus({ sort: '{"lastLogin":1}', hasLoggedIn: 'true' }))).toEqual(['u4', 'u5', 'u6', 'u1', 'u2']);
    });

    it('sorts on name without appending nameInsensitive (no case folding)', () => {
        const users = [
            rec({ _id: '1', username: 'a', name: 'bob' }),
            rec({ _id: '2', username: 'b', name: 'Bob' }),
            rec({ _id: '3', username: 'c', name: 'Al' }),
        ];
        expect(ids(usersByStatus({ sort: '{"name":1}' }, { users }))).toEqual(['3', '2', '1']);
    });

    it('accepts the sort of a caller without special permissions', () => {
        expect(ids(usersByStatus({ sort: '{"type":1,"username":1}' }, { caller: caller(['guest']) }))).toEqual([
            'u9',
            'u7',
            'u3',
            'u8',
            'u2',
            'u5',
            'u1',
            'u6',
            'u4',
        ]);
    });
});
