import { csvCell, csvColumns, toCsv } from '../../src/command/csv';
import { CommandError, emptyQuery, parseCommand, toEndpointRequest } from '../../src/command/parse';
import { Action, applyViewAction, decodeQuery, encodeQuery } from '../../src/command/render';
import { translator } from '../../src/i18n';

const words = (text: string) => text.split(' ');

describe('parseCommand', () => {
    it('reads help, search words and every filter', () => {
        expect(parseCommand(['help'])).toEqual({ kind: 'help' });
        expect(parseCommand(words('ann lee role:admin role:bot,guest status:active type:bot loggedin:no sort:-lastLogin page:3'))).toEqual({
            kind: 'list',
            exportCsv: false,
            query: { list: 'users', search: 'ann lee', roles: ['admin', 'bot', 'guest'], status: 'active', type: 'bot', loggedIn: false, sort: { field: 'lastLogin', direction: -1 }, page: 3 },
        });
        expect(parseCommand(words('agents mona export:csv'))).toEqual({ kind: 'list', exportCsv: true, query: { ...emptyQuery('agents'), search: 'mona' } });
        expect(parseCommand([])).toEqual({ kind: 'list', exportCsv: false, query: emptyQuery() });
    });

    it.each([
        ['colour:red', 'command_error_unknown_filter', { filter: 'colour' }],
        ['status:all', 'command_error_status', { value: 'all' }],
        ['loggedin:maybe', 'command_error_loggedin', { value: 'maybe' }],
        ['page:0', 'command_error_page', { value: '0' }],
        ['page:99999999', 'command_error_page', { value: '99999999' }],
        ['export:pdf', 'command_error_export', { value: 'pdf' }],
        ['role:', 'command_error_empty_value', { filter: 'role' }],
        ['sort:password', 'command_error_sort', { field: 'password', fields: 'username, name, status, active, lastLogin, type, roles, emails' }],
        ['managers status:active', 'command_error_filter_not_for_livechat', { filter: 'status:active', list: 'managers' }],
    ])('refuses %s with a message key', (text, key, values) => {
        expect(() => parseCommand(words(text))).toThrow(new CommandError(key, values));
        try {
            parseCommand(words(text));
        } catch (error) {
            expect((error as CommandError).values).toEqual(values);
        }
    });

    it('refuses a search longer than 200 characters', () => {
        expect(() => parseCommand(['x'.repeat(201)])).toThrow(new CommandError('command_error_search_length', { max: '200' }));
    });
});

describe('toEndpointRequest', () => {
    it('speaks users.listByStatus for users and livechat/users/{type} for agents and managers', () => {
        const query = { ...emptyQuery(), search: 'ann', roles: ['admin'], status: 'active' as const, type: 'user', loggedIn: true, sort: { field: 'name', direction: -1 as const }, page: 3 };
        expect(toEndpointRequest(query, 10)).toEqual({
            query: { count: '10', offset: '20', sort: '{"name":-1}', searchTerm: 'ann', roles: ['admin'], status: 'active', type: 'user', hasLoggedIn: 'true' },
        });
        expect(toEndpointRequest({ ...emptyQuery('managers'), search: 'mo' }, 10)).toEqual({ query: { count: '10', offset: '0', text: 'mo' }, params: { type: 'manager' } });
    });
});

describe('button values and the contextual bar', () => {
    it('round-trips a query through a button value, and reads anything malformed as the plain list', () => {
        const query = { ...emptyQuery('agents'), search: 'x', page: 2, sort: { field: 'name', direction: 1 as const } };
        expect(decodeQuery(encodeQuery(query))).toEqual(query);
        expect(decodeQuery('not json')).toEqual(emptyQuery());
        expect(decodeQuery('{"list":"admins","page":-4,"roles":"admin","sort":{"field":1}}')).toEqual(emptyQuery());
    });

    it('starts again at page 1 when a filter changes, and "any" clears it', () => {
        const query = { ...emptyQuery(), roles: ['bot'], status: 'active' as const, page: 4 };
        expect(applyViewAction(query, Action.status, 'any')).toEqual({ ...query, status: undefined, page: 1 });
        expect(applyViewAction(query, Action.role, 'admin')).toEqual({ ...query, roles: ['admin'], page: 1 });
        expect(applyViewAction(query, Action.search, 'ann')).toEqual({ ...query, search: 'ann', page: 1 });
        expect(applyViewAction({ ...query, search: 'ann' }, Action.list, 'managers')).toEqual({ ...emptyQuery('managers'), search: 'ann' });
    });
});

describe('CSV', () => {
    it('quotes what needs quoting and defuses formulas', () => {
        expect(csvCell('plain')).toBe('plain');
        expect(csvCell('a,b')).toBe('"a,b"');
        expect(csvCell('say "hi"')).toBe('"say ""hi"""');
        expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
        expect(csvCell('-1')).toBe("'-1");
        expect(csvCell(undefined)).toBe('');
        expect(csvCell([{ address: 'a@x' }, { address: 'b@x' }])).toBe('a@x; b@x');
    });

    it('writes a header and one line per row, with emails only when shown', () => {
        expect(csvColumns('agents', false)).toEqual(['_id', 'username', 'name', 'status']);
        expect(toCsv([{ _id: '1', username: 'ann', roles: ['user', 'admin'], active: true }], ['_id', 'username', 'roles', 'active'])).toBe('_id,username,roles,active\r\n1,ann,user; admin,true\r\n');
    });
});

describe('translator', () => {
    it('picks the language, falls back to English, and fills the values', () => {
        expect(translator('de-AT')('list_range', { from: 1, to: 10, total: 12 })).toBe('1–10 von 12');
        expect(translator('fr')('list_range', { from: 1, to: 10, total: 12 })).toBe('1–10 of 12');
        expect(translator()('no_such_key')).toBe('no_such_key');
    });
});
