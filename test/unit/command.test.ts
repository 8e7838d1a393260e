import * as fs from 'fs';
import * as path from 'path';

import { csvCell, csvColumns, toCsv } from '../../src/command/csv';
import { applyViewAction } from '../../src/command/directoryView';
import { CommandError, failureText, PermissionError } from '../../src/command/errors';
import { decodeQuery, emptyQuery, encodeQuery, parseListCommand } from '../../src/command/parse';
import { Action } from '../../src/command/render';
import { toCoreRequest } from '../../src/command/run';
import { defaultConfig } from '../../src/core/config';
import { Directory } from '../../src/core/directory';
import { listUsersByStatus, selectUsersByStatus } from '../../src/core/handlers';
import { missingPermission, unauthorized } from '../../src/core/errors';
import { DirectoryUnavailable } from '../../src/DirectoryService';
import { translator } from '../../src/i18n';
import { ADMIN, STAFF, USER } from './fixtures';

const words = (text: string) => text.split(' ');

describe('parseListCommand', () => {
    it('reads search words and every filter', () => {
        expect(
            parseListCommand(
                words('ann lee role:admin role:bot,guest,admin status:active type:bot loggedin:no sort:-lastLogin inactive:90d team:Finance page:3'),
            ),
        ).toEqual({
            exportCsv: false,
            query: {
                list: 'users',
                search: 'ann lee',
                roles: ['admin', 'bot', 'guest'],
                status: 'active',
                type: 'bot',
                loggedIn: false,
                sort: { field: 'lastLogin', direction: -1 },
                inactiveDays: 90,
                customFields: { team: 'Finance' },
                page: 3,
            },
        });
        // The same filters apply to the livechat lists; a word that is no filter name is searched.
        expect(parseListCommand(words('managers status:active @chloe:matrix.org 10:30'))).toEqual({
            exportCsv: false,
            query: { ...emptyQuery('managers'), status: 'active', search: '@chloe:matrix.org 10:30' },
        });
        expect(parseListCommand(words('agents mona export:csv'))).toEqual({ exportCsv: true, query: { ...emptyQuery('agents'), search: 'mona' } });
        expect(parseListCommand([])).toEqual({ exportCsv: false, query: emptyQuery() });
    });

    it.each([
        ['status:all', 'command_error_status', { value: 'status:all' }],
        ['loggedin:maybe', 'command_error_loggedin', { value: 'loggedin:maybe' }],
        ['page:0', 'command_error_page', { value: 'page:0' }],
        ['page:99999999', 'command_error_page', { value: 'page:99999999' }],
        ['inactive:90', 'command_error_inactive', { value: 'inactive:90', max: '3650' }],
        ['inactive:0d', 'command_error_inactive', { value: 'inactive:0d', max: '3650' }],
        ['export:pdf', 'command_error_export', { value: 'export:pdf' }],
        ['role:', 'command_error_empty_value', { filter: 'role:' }],
        ['sort:password', 'command_error_sort', { field: 'password', fields: 'username, name, status, active, lastLogin, type, roles' }],
        ['agents sort:lastLogin', 'command_error_sort', { field: 'lastLogin', fields: 'username, name, status' }],
    ])('refuses %s with a message key', (text, key, values) => {
        expect(() => parseListCommand(words(text))).toThrow(new CommandError(key, values));
        try {
            parseListCommand(words(text));
        } catch (error) {
            expect((error as CommandError).values).toEqual(values);
        }
    });

    it('refuses a search longer than 200 characters', () => {
        expect(() => parseListCommand(['x'.repeat(201)])).toThrow(new CommandError('command_error_search_length', { max: '200' }));
    });
});

describe('toCoreRequest', () => {
    it('hands the core a typed users.listByStatus request for users, and livechat/users/{type} for agents and managers: no strings to re-parse', () => {
        const { query } = parseListCommand(words('ann role:admin status:active type:user loggedin:yes sort:-name page:3'));
        const request = toCoreRequest(query, USER, { offset: 20, count: 10 }, []);
        // The search is the chat's own (accents aside), so it is not a parameter.
        expect(request).toEqual({
            list: 'users',
            request: {
                caller: USER,
                page: { offset: 20, count: 10 },
                sort: [['name', -1]],
                roles: ['admin'],
                status: 'active',
                type: 'user',
                hasLoggedIn: true,
                narrow: [],
            },
        });
        expect(toCoreRequest(parseListCommand(words('managers mo')).query, USER, { offset: 0, count: 10 }, [])).toEqual({
            list: 'livechat',
            request: { caller: USER, type: 'manager', page: { offset: 0, count: 10 }, sort: undefined, narrow: [] },
        });
        // The users' filters narrow a livechat list.
        const agents = toCoreRequest(parseListCommand(words('agents status:active role:bot')).query, USER, { offset: 0, count: 10 }, []);
        expect(agents.list === 'livechat' && agents.request.narrow?.map((filter) => filter.key)).toHaveLength(2);
    });

    it('selects what the endpoint selects from the same filters as query-string parameters', () => {
        const context = { directory: new Directory(STAFF), config: defaultConfig() };
        const { query } = parseListCommand(words('role:user,livechat-agent status:active sort:-name'));
        const core = toCoreRequest(query, ADMIN, { offset: 0, count: 10 }, []);
        const typed = core.list === 'users' ? listUsersByStatus(core.request, context) : undefined;
        const parsed = selectUsersByStatus(
            { caller: ADMIN, query: { roles: ['user', 'livechat-agent'], status: 'active', sort: '{"name":-1}', count: '10', offset: '0' } },
            context,
        );
        expect(typed?.records.map((record) => record._id)).toEqual(parsed.records.map((record) => record._id));
        expect(typed?.total).toBeGreaterThan(1);
    });
});

describe('what the user reads about a failure', () => {
    const t = translator('en');
    it('keeps the kind: a permission error reads as one, a usage error points to help', () => {
        expect(failureText(new PermissionError(), t)).toBe('You are not allowed to list these users.');
        expect(failureText(missingPermission(), t)).toBe('You are not allowed to list these users.');
        expect(failureText(unauthorized(), t)).toBe('You are not allowed to list these users.');
        expect(failureText(new CommandError('command_error_page', { value: 'page:x' }), t)).toBe(
            '`page:x` is not a page number.\nType `/users help` for the filters.',
        );
        expect(failureText(new DirectoryUnavailable(5), t)).toBe('The user directory is not available right now; please try again shortly.');
        expect(failureText(new Error('boom'), t)).toBeUndefined();
    });
});

describe('button values and the contextual bar', () => {
    it('round-trips a query through a button value, and reads anything malformed as the plain list', () => {
        const query = { ...emptyQuery('agents'), search: 'x', page: 2, sort: { field: 'name', direction: 1 as const } };
        expect(decodeQuery(encodeQuery(query))).toEqual(query);
        expect(decodeQuery('not json')).toEqual(emptyQuery());
        expect(decodeQuery('{"list":"admins","page":-4,"roles":"admin","sort":{"field":1}}')).toEqual(emptyQuery());
        // What typed input could not hold is dropped: a sort the list does not offer, absurd days, odd field names.
        expect(
            decodeQuery('{"list":"agents","sort":{"field":"lastLogin","direction":1},"inactiveDays":99999,"customFields":{"a b":"x","team":"Sales","n":3}}'),
        ).toEqual({
            ...emptyQuery('agents'),
            customFields: { team: 'Sales' },
        });
    });

    it('starts again at page 1 when a filter changes, and "any" clears it', () => {
        const query = { ...emptyQuery(), roles: ['bot'], status: 'active' as const, page: 4 };
        expect(applyViewAction(query, Action.status, 'any')).toEqual({ ...query, status: undefined, page: 1 });
        expect(applyViewAction(query, Action.roles, ['admin', 'livechat-agent'])).toEqual({ ...query, roles: ['admin', 'livechat-agent'], page: 1 });
        expect(applyViewAction(query, Action.roles, [])).toEqual({ ...query, roles: [], page: 1 });
        expect(applyViewAction(query, Action.search, 'ann')).toEqual({ ...query, search: 'ann', page: 1 });
        expect(applyViewAction(query, Action.inactive, '90')).toEqual({ ...query, inactiveDays: 90, page: 1 });
        expect(applyViewAction(query, Action.inactive, '7')).toEqual({ ...query, inactiveDays: undefined, page: 1 });
        expect(applyViewAction(query, `${Action.customField}team`, 'Finance')).toEqual({ ...query, customFields: { team: 'Finance' }, page: 1 });
        expect(applyViewAction({ ...query, customFields: { team: 'Finance' } }, `${Action.customField}team`, 'any')).toEqual({ ...query, page: 1 });
        expect(applyViewAction(query, Action.sort, '-lastLogin')).toEqual({ ...query, sort: { field: 'lastLogin', direction: -1 }, page: 1 });
    });

    it('keeps every filter when the list changes, and a sort only where the list offers it', () => {
        const query = { ...emptyQuery(), search: 'ann', roles: ['admin'], sort: { field: 'lastLogin', direction: -1 as const }, page: 3 };
        expect(applyViewAction(query, Action.list, 'managers')).toEqual({ ...query, list: 'managers', sort: undefined, page: 1 });
        expect(applyViewAction({ ...query, sort: { field: 'name', direction: 1 } }, Action.list, 'agents')).toMatchObject({
            list: 'agents',
            sort: { field: 'name', direction: 1 },
        });
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
        expect(toCsv([{ _id: '1', username: 'ann', roles: ['user', 'admin'], active: true }], ['_id', 'username', 'roles', 'active'])).toBe(
            '_id,username,roles,active\r\n1,ann,user; admin,true\r\n',
        );
    });
});

describe('translator', () => {
    it('picks the language, falls back to English, and fills the values', () => {
        expect(translator('de-AT')('list_range', { from: 1, to: 10, total: 12 })).toBe('1–10 von 12');
        expect(translator('fr')('list_range', { from: 1, to: 10, total: 12 })).toBe('1–10 of 12');
        expect(translator()('no_such_key')).toBe('no_such_key');
    });

    it('counts with the plural of each language, and writes numbers and dates as it does', () => {
        const en = translator('en');
        const de = translator('de');
        expect([0, 1, 2].map((n) => en.count('count_users', n))).toEqual(['0 users', '1 user', '2 users']);
        expect([1, 2].map((n) => en.count('count_agents', n))).toEqual(['1 agent', '2 agents']);
        expect([1, 2].map((n) => de.count('count_agents', n))).toEqual(['1 Agent', '2 Agenten']);
        expect(en.count('count_users', 12345)).toBe('12,345 users');
        expect(de.count('count_users', 12345)).toBe('12.345 Benutzer');
        expect(en.count('export_sent', 1, { file: 'f', bot: 'b', url: 'u' })).toMatch(/^Sent 1 user as f /);
        expect(en.date('2024-01-02T23:30:00.000Z')).toBe('2 Jan 2024');
        expect(de.date('2024-01-02T23:30:00.000Z')).toBe('02.01.2024');
    });

    it('has every text in every language', () => {
        const keys = (language: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(__dirname, `../../i18n/${language}.json`), 'utf8'))).sort();
        expect(keys('de')).toEqual(keys('en'));
    });
});
