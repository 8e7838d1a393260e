import { renderDirectoryView } from '../../src/command/directoryView';
import { CommandError, PermissionError } from '../../src/command/errors';
import { facetsOf, fold, inactiveFor } from '../../src/command/filters';
import { DirectoryQuery, emptyQuery } from '../../src/command/parse';
import { Action, RenderContext, renderHelp, renderListMessage } from '../../src/command/render';
import { directoryPage } from '../../src/command/run';
import { defaultConfig } from '../../src/core/config';
import { Directory } from '../../src/core/directory';
import { translator } from '../../src/i18n';
import { readBack } from './mrkdwn-reader';
import { ADMIN, MONITOR, rec, USER } from './fixtures';

const users = [
    rec({
        _id: 'u1',
        username: 'jdupre',
        name: 'Jérôme Dupré',
        emails: [{ address: 'jd@corp.example', verified: true }],
        roles: ['user', 'admin'],
        status: 'online',
        active: true,
        type: 'user',
        lastLogin: '2024-01-02T10:00:00.000Z',
        customFields: { team: 'Finance' },
    }),
    rec({
        _id: 'u2',
        username: 'ada_20',
        name: 'Ada *Star* Lovelace',
        emails: [{ address: 'ada_20@example.com', verified: true }],
        roles: ['user'],
        status: 'offline',
        active: false,
        type: 'user',
        customFields: { team: 'Sales' },
    }),
    rec({
        _id: 'u3',
        username: '@chloe:matrix.example.org',
        name: 'Chloe',
        roles: ['user', 'livechat-agent'],
        status: 'away',
        active: true,
        type: 'user',
        lastLogin: '2025-06-01T10:00:00.000Z',
    }),
    rec({
        _id: 'u4',
        username: 'søren',
        name: 'Søren Ødegaard',
        roles: ['user', 'livechat-agent'],
        status: 'busy',
        active: true,
        type: 'user',
        lastLogin: '2020-06-01T10:00:00.000Z',
    }),
    rec({ _id: 'u5', username: 'helper.bot', name: 'Helper', roles: ['bot'], status: 'online', active: true, type: 'bot' }),
];
const context = () => ({ directory: new Directory(users), config: defaultConfig() });
const render = (language = 'en'): RenderContext => ({ appId: 'app', t: translator(language), siteUrl: 'https://chat.example.com' });
const page = (query: Partial<DirectoryQuery>, caller = ADMIN, pageSize = 10) => directoryPage({ ...emptyQuery(), ...query }, caller, context(), pageSize);
const usernames = (query: Partial<DirectoryQuery>, caller = ADMIN) => page(query, caller).rows.map((row) => row.fields.username);

describe('the chat’s own filters', () => {
    it('fold accents and case, so that "jerome" finds "Jérôme Dupré"', () => {
        expect(fold('Jérôme Dupré')).toBe('jerome dupre');
        expect(fold('Søren Ødegaard ß')).toBe('soren odegaard ss');
        expect(usernames({ search: 'jerome' })).toEqual(['jdupre']);
        expect(usernames({ search: 'DUPRE jér' })).toEqual(['jdupre']);
        expect(usernames({ search: 'odegaard' })).toEqual(['søren']);
    });

    it('search emails only for callers who may see them, and find the livechat lists the same way', () => {
        expect(usernames({ search: 'corp.example' })).toEqual(['jdupre']);
        expect(usernames({ search: 'corp.example' }, USER)).toEqual([]);
        expect(usernames({ list: 'agents', search: 'soren' })).toEqual(['søren']);
    });

    it('inactive: last login before the start of the day that many days ago, or never', () => {
        const now = Date.parse('2025-06-10T15:00:00.000Z');
        const filter = inactiveFor(90, now);
        expect(filter.key).toBe('inactive:2025-03-12T00:00:00.000Z');
        const directory = new Directory(users);
        expect(directory.select([{ path: ['username'], direction: 1 }], [filter], 0, 10).records.map((record) => record.username)).toEqual([
            'ada_20',
            'helper.bot',
            'jdupre',
            'søren',
        ]);
    });

    it('custom fields and inactive: for admins only; an unknown field is an unknown filter', () => {
        expect(usernames({ customFields: { team: 'finance' } })).toEqual(['jdupre']);
        expect(() => page({ customFields: { team: 'Finance' } }, USER)).toThrow(new CommandError('command_error_unknown_filter', { filter: 'team:' }));
        expect(() => page({ customFields: { team: 'Finance' } }, USER)).toThrow(CommandError);
        expect(() => page({ customFields: { colour: 'red' } })).toThrow(new CommandError('command_error_unknown_filter', { filter: 'colour:' }));
        // inactive: is a documented filter the caller may not use: a permission error, not a usage error.
        expect(() => page({ inactiveDays: 90 }, USER)).toThrow(new PermissionError('command_error_admin_only', { filter: 'inactive:' }));
        expect(() => page({ inactiveDays: 90 }, USER)).toThrow(PermissionError);
    });

    it('take role, status and type on the livechat lists, with the users list’s permission', () => {
        expect(usernames({ list: 'agents', status: 'active' })).toEqual(['@chloe:matrix.example.org', 'søren']);
        expect(usernames({ list: 'agents' }, MONITOR)).toEqual(['@chloe:matrix.example.org', 'søren']);
        expect(() => page({ list: 'agents', status: 'active' }, MONITOR)).toThrow(new PermissionError('not_allowed'));
        expect(() => page({ list: 'agents', status: 'active' }, MONITOR)).toThrow(PermissionError);
    });

    it('know the workspace’s roles and few-valued custom fields', () => {
        const facets = facetsOf(new Directory(users));
        expect(facets.roles).toEqual(['admin', 'bot', 'livechat-agent', 'user']);
        expect([...facets.customFields]).toEqual([['team', ['Finance', 'Sales']]]);
    });
});

/** The text of the message's user rows, as Rocket.Chat's parser reads them. */
const rowTexts = (message: ReturnType<typeof renderListMessage>) =>
    message.blocks
        .filter((block) => block.type === 'context' && (block as any).elements[0].type === 'image')
        .map((block) => readBack((block as any).elements[1].text));

describe('the command’s reply', () => {
    it('shows each user on one line that reads exactly as the data: presence, name, username, and what matters', () => {
        const message = renderListMessage(page({}), render());
        expect(rowTexts(message).map((read) => read.text)).toEqual([
            '⚫ Ada *Star* Lovelace @ada_20 · deactivated',
            '🟡 Chloe @chloe:matrix.example.org · livechat-agent',
            '🟢 Helper @helper.bot · bot',
            '🟢 Jérôme Dupré @jdupre · admin',
            '🔴 Søren Ødegaard @søren · livechat-agent',
        ]);
        // Bold for names, and no other markup slipped in from the data.
        expect(rowTexts(message).map((read) => read.markup)).toEqual([['LINK'], ['BOLD', 'LINK'], ['BOLD', 'LINK'], ['BOLD', 'LINK'], ['BOLD', 'LINK']]);
        const avatars = message.blocks.flatMap((block: any) =>
            block.type === 'context' && block.elements[0].type === 'image' ? [block.elements[0].imageUrl] : [],
        );
        expect(avatars).toContain('https://chat.example.com/avatar/%40chloe%3Amatrix.example.org');
    });

    it('shows the last login when sorting or filtering by it, and an email when only the email matched', () => {
        expect(rowTexts(renderListMessage(page({ sort: { field: 'lastLogin', direction: -1 } }), render()))[0].text).toBe(
            '🟡 Chloe @chloe:matrix.example.org · livechat-agent · last login 1 Jun 2025',
        );
        expect(rowTexts(renderListMessage(page({ inactiveDays: 3650 }), render('de')))[0].text).toBe(
            '⚫ Ada *Star* Lovelace @ada_20 · deaktiviert · nie angemeldet',
        );
        expect(rowTexts(renderListMessage(page({ search: 'corp.example' }), render()))[0].text).toBe('🟢 Jérôme Dupré @jdupre · admin · jd@corp.example');
        expect(rowTexts(renderListMessage(page({ search: 'jerome' }), render()))[0].text).toBe('🟢 Jérôme Dupré @jdupre · admin');
    });

    it('counts with plurals, pages in the contextual bar, and says so past the end', () => {
        const one = renderListMessage(page({ search: 'jerome' }), render());
        expect(one.text.split('\n').at(-1)).toBe('1 user');
        const far = page({ page: 200 }, ADMIN, 2);
        expect(far.query.page).toBe(3);
        const message = renderListMessage(far, render());
        const texts = message.blocks.map(
            (block: any) => block.text?.text ?? block.elements?.map((element: any) => element.text?.text ?? element.text ?? '').join(' '),
        );
        expect(texts).toContain('There is no page 200; this is the last one.');
        expect(texts).toContain('5–5 of 5 users · page 3 of 3');
        expect(message.text.split('\n').slice(0, 2)).toEqual(['*Users*', 'There is no page 200; this is the last one.']);
        const actions = (message.blocks.at(-1) as any).elements.map((element: any) => [element.actionId, JSON.parse(element.value).page]);
        expect(actions).toEqual([
            [Action.page, 2],
            [Action.open, 3],
            [Action.export, 3],
        ]);
    });

    it('says plainly that no one matches, with a hint, and offers no export', () => {
        const message = renderListMessage(page({ search: 'zzz' }), render());
        expect(message.blocks.slice(1, 3).map((block: any) => readBack(block.text?.text ?? block.elements[0].text).text)).toEqual([
            'No one matches.',
            'Try fewer or shorter words, or fewer filters; /users help lists them all.',
        ]);
        expect((message.blocks.at(-1) as any).elements.map((element: any) => element.actionId)).toEqual([Action.open]);
    });
});

describe('the contextual bar', () => {
    const shape = (view: ReturnType<typeof renderDirectoryView>) =>
        view.blocks.slice(0, 8).map((block: any) => [block.type, block.blockId, (block.elements ?? [block.element]).map((element: any) => element?.actionId)]);
    const facets = { roles: ['admin', 'user'], customFields: [['team', ['Finance', 'Sales']]] as Array<[string, string[]]> };

    it('has labelled filters, the same for every list, and the workspace’s roles to pick several from', () => {
        const views = (['users', 'agents', 'managers'] as const).map((list) => renderDirectoryView(page({ list }), render(), facets));
        expect(shape(views[1])).toEqual(shape(views[0]));
        expect(shape(views[2])).toEqual(shape(views[0]));
        const selects = views[0].blocks.flatMap((block: any) => block.elements ?? (block.element ? [block.element] : []));
        const shown = (actionId: string) => {
            const select = selects.find((element: any) => element.actionId === actionId);
            return select.options.find((option: any) => option.value === select.initialValue)?.text.text;
        };
        expect([Action.list, Action.sort, Action.status, Action.type, Action.inactive, `${Action.customField}team`].map(shown)).toEqual([
            'List: Users',
            'Sort: name',
            'Account: any',
            'Type: any',
            'Last login: any',
            'team: any',
        ]);
        const roles = selects.find((element: any) => element.actionId === Action.roles);
        expect(roles).toMatchObject({ type: 'multi_static_select', initialValue: [], dispatchActionConfig: ['on_item_selected'] });
        expect(roles.options.map((option: any) => option.value)).toEqual(['admin', 'user']);
        expect(views[0].blocks.find((block: any) => block.blockId === 'directory.view.roles')).toMatchObject({ label: { text: 'Roles' } });
    });

    it('leaves the admin filters out for members', () => {
        const view = renderDirectoryView(page({}, USER), render(), { roles: ['user'], customFields: [] });
        const actionIds = view.blocks.flatMap((block: any) => (block.elements ?? []).map((element: any) => element.actionId));
        expect(actionIds).toContain(Action.status);
        expect(actionIds.filter((id?: string) => id === Action.inactive || id?.startsWith(Action.customField))).toEqual([]);
    });

    it('shows one line per user, the avatar beside the name, the username linking to a direct message', () => {
        const view = renderDirectoryView(page({ search: 'chloe' }), render(), facets);
        const rows: any[] = view.blocks.filter((block: any) => block.type === 'context' && block.elements[0].type === 'image');
        expect(rows).toHaveLength(1);
        expect(rows[0]).toEqual({
            type: 'context',
            elements: [
                { type: 'image', imageUrl: 'https://chat.example.com/avatar/%40chloe%3Amatrix.example.org', altText: '@chloe:matrix.example.org' },
                {
                    type: 'mrkdwn',
                    text: '🟡 *Chloe* [@chloe:matrix.example.org](https://chat.example.com/direct/%40chloe%3Amatrix.example.org) · livechat-agent',
                },
            ],
        });
        expect(readBack(rows[0].elements[1].text)).toEqual({ text: '🟡 Chloe @chloe:matrix.example.org · livechat-agent', markup: ['BOLD', 'LINK'] });
        // The same row as in the message.
        expect(renderListMessage(page({ search: 'chloe' }), render()).blocks).toContainEqual(rows[0]);
    });
});

describe('help', () => {
    it('shows admins their filters and the workspace’s custom fields, and members not', () => {
        const admin = renderHelp(render(), { customFields: ['team', 'clearance'] });
        expect(readBack(admin.text).text).toContain('inactive:90d — last login more than 90 days ago, or never');
        expect(readBack(admin.text).text).toContain('(fields: team, clearance)');
        const member = renderHelp(render(), undefined);
        expect(member.text).not.toContain('inactive');
        expect(readBack(member.text).text).toContain('/users jerome — username or name contains every word');
    });
});
