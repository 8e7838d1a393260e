import type { ActionsBlock, ButtonElement, ContextBlock, LayoutBlock, Option } from '@rocket.chat/ui-kit';

import type { Translate } from '../i18n';
import { code, strong, text } from './mrkdwn';
import { DirectoryList, DirectoryQuery, emptyQuery, encodeQuery, LISTS, MAX_SEARCH_LENGTH, PAGE_SIZE, parseSort, SORTABLE_FIELDS } from './parse';
import type { DirectoryPage } from './run';

/** Action ids of the app's buttons and inputs, shared by the renderers and the interaction handler. */
export const Action = {
    page: 'directory.page',
    open: 'directory.open',
    export: 'directory.export',
    search: 'directory.search',
    list: 'directory.list',
    sort: 'directory.sort',
    status: 'directory.status',
    type: 'directory.type',
    roles: 'directory.roles',
    inactive: 'directory.inactive',
    /** Followed by the custom field's name. */
    customField: 'directory.field.',
} as const;

export const DIRECTORY_VIEW_ID = 'user-directory';

/** What every rendering needs besides the data. */
export interface RenderContext {
    appId: string;
    t: Translate;
    /** The workspace's Site_Url, without a trailing slash: avatars and direct-message links point there. */
    siteUrl: string;
}

/** One mark per presence; offline is a dark circle, which reads on a light and a dark theme alike. */
const PRESENCE: Record<string, string> = { online: '🟢', away: '🟡', busy: '🔴' };
const OFFLINE = '⚫';
const ANY = 'any';
const TYPES = ['user', 'bot', 'app'];
const INACTIVE_DAYS = [30, 90, 180, 365];
/** Sort choices of the contextual bar, as `sort:` values; a list offers those its rows can be sorted by. */
const SORTS = ['name', 'username', 'status', '-lastLogin', 'lastLogin'];

const SEPARATOR = ' · ';

export function avatarUrl(siteUrl: string, username: string): string {
    return `${siteUrl}/avatar/${encodeURIComponent(username)}`;
}

export function directMessageUrl(siteUrl: string, username: string): string {
    return `${siteUrl}/direct/${encodeURIComponent(username)}`;
}

/** "@ada" — a federated username already starts with its "@". */
function handle(username: string): string {
    return username.startsWith('@') ? username : `@${username}`;
}

type Row = DirectoryPage['rows'][number];

/** What to say about a user beyond name, username and presence: only what matters for this list and query. */
function rowDetails({ fields, foundByEmail }: Row, page: DirectoryPage, t: Translate): string[] {
    const { query } = page;
    const details: string[] = [];
    if (fields.active === false) details.push(t('row_deactivated'));
    const roles = Array.isArray(fields.roles) ? fields.roles.filter((role): role is string => typeof role === 'string' && role !== 'user') : [];
    if (roles.length > 0) details.push(text(roles.join(', ')));
    if (typeof fields.type === 'string' && fields.type !== 'user' && !roles.includes(fields.type)) details.push(text(fields.type));
    if (query.list === 'users' && (query.sort?.field === 'lastLogin' || query.inactiveDays !== undefined)) {
        details.push(typeof fields.lastLogin === 'string' ? t('row_last_login', { date: t.date(fields.lastLogin) }) : t('row_never_logged_in'));
    }
    if (page.privileged && foundByEmail && Array.isArray(fields.emails)) {
        details.push(text(fields.emails.map((email: { address: string }) => email.address).join(', ')));
    }
    return details;
}

function presenceMark(fields: Record<string, unknown>): string {
    return PRESENCE[String(fields.status)] ?? OFFLINE;
}

const usernameOf = (fields: Record<string, unknown>) => (typeof fields.username === 'string' ? fields.username : undefined);
const nameOf = (fields: Record<string, unknown>) => (typeof fields.name === 'string' && fields.name.trim() !== '' ? fields.name : undefined);

/** "🟢 *Ada O'Brien*": presence and the name (the username when there is no name). */
function title(fields: Record<string, unknown>): string {
    return `${presenceMark(fields)} ${strong(nameOf(fields) ?? usernameOf(fields) ?? String(fields._id))}`;
}

/** The username exactly as it is ("@ada_20"). */
function usernameDetail(fields: Record<string, unknown>): string[] {
    const username = usernameOf(fields);
    return username ? [text(handle(username))] : [];
}

function avatar(fields: Record<string, unknown>, siteUrl: string): { type: 'image'; imageUrl: string; altText: string }[] {
    const username = usernameOf(fields);
    return username ? [{ type: 'image', imageUrl: avatarUrl(siteUrl, username), altText: username }] : [];
}

/** Usernames that read whole as a link's label; any other is written as plain text. */
const LINKABLE_USERNAME = /^@?[\p{L}\p{N}._:+-]+$/u;

/** The username, linked to a direct message with the user ("@ada_20"). */
function usernameLink(fields: Record<string, unknown>, siteUrl: string): string[] {
    const username = usernameOf(fields);
    if (!username) return [];
    return LINKABLE_USERNAME.test(username) ? [`[${handle(username)}](${directMessageUrl(siteUrl, username)})`] : [text(handle(username))];
}

/**
 * One line per user, the same in the message and the contextual bar: the
 * avatar beside presence and name, then the username (a link to message them)
 * and the details that matter.
 */
function rowBlock(row: Row, page: DirectoryPage, context: RenderContext): ContextBlock {
    const line = [`${title(row.fields)} ${usernameLink(row.fields, context.siteUrl).join('')}`.trim(), ...rowDetails(row, page, context.t)].join(SEPARATOR);
    return { type: 'context', elements: [...avatar(row.fields, context.siteUrl), { type: 'mrkdwn', text: line }] };
}

/** "*Users* · “jerome” · role:admin · status:active" */
function describe(query: DirectoryQuery, t: Translate): string {
    const parts = [`*${t(`list_${query.list}`)}*`];
    if (query.search) parts.push(`“${text(query.search)}”`);
    if (query.roles.length > 0) parts.push(text(`role:${query.roles.join(',')}`));
    if (query.status) parts.push(`status:${query.status}`);
    if (query.type) parts.push(text(`type:${query.type}`));
    if (query.loggedIn !== undefined) parts.push(`loggedin:${query.loggedIn ? 'yes' : 'no'}`);
    if (query.inactiveDays !== undefined) parts.push(t('list_inactive', { days: t.number(query.inactiveDays) }));
    Object.entries(query.customFields).forEach(([field, value]) => parts.push(text(`${field}:${value}`)));
    if (query.sort) parts.push(text(`sort:${query.sort.direction === -1 ? '-' : ''}${query.sort.field}`));
    return parts.join(SEPARATOR);
}

/** "1–10 of 14 users · page 1 of 2", or "3 users". */
function summary(page: DirectoryPage, t: Translate): string {
    const total = t.count(`count_${page.query.list}`, page.total);
    if (page.pageCount === 1) {
        return total;
    }
    const from = (page.query.page - 1) * page.pageSize + 1;
    const to = from + page.rows.length - 1;
    return `${t('list_range', { from: t.number(from), to: t.number(to), total })}${SEPARATOR}${t('list_page', { page: t.number(page.query.page), pages: t.number(page.pageCount) })}`;
}

const mrkdwnContext = (mrkdwn: string): ContextBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn }] });
const section = (mrkdwn: string): LayoutBlock => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } });

function button(context: RenderContext, blockId: string, actionId: string, label: string, value: string, extra: Partial<ButtonElement> = {}): ButtonElement {
    return { type: 'button', appId: context.appId, blockId, actionId, text: { type: 'plain_text', text: label }, value, ...extra };
}

function pagingButtons(page: DirectoryPage, context: RenderContext, blockId: string): ButtonElement[] {
    const { t } = context;
    const buttons: ButtonElement[] = [];
    if (page.query.page > 1) {
        buttons.push(button(context, blockId, Action.page, t('button_previous'), encodeQuery({ ...page.query, page: page.query.page - 1 })));
    }
    if (page.query.page < page.pageCount) {
        buttons.push(button(context, blockId, Action.page, t('button_next'), encodeQuery({ ...page.query, page: page.query.page + 1 })));
    }
    return buttons;
}

/** The part shared by the message and the contextual bar: a note past the end, the rows (or why there are none), and the count. */
function listBlocks(page: DirectoryPage, context: RenderContext, rowBlocks: (row: Row) => LayoutBlock[]): LayoutBlock[] {
    const { t } = context;
    if (page.total === 0) {
        return [section(t('list_empty')), mrkdwnContext(t('list_empty_hint', { help: code('/users help') }))];
    }
    return [
        ...(page.pastEnd !== undefined ? [mrkdwnContext(t('list_past_end', { page: t.number(page.pastEnd) }))] : []),
        ...page.rows.flatMap(rowBlocks),
        mrkdwnContext(summary(page, t)),
    ];
}

/** Plain text of the reply, for notifications and clients without blocks: what the blocks say, without the buttons. */
function plainReply(page: DirectoryPage, t: Translate): string {
    const rows = page.rows.map((row) => `• ${[title(row.fields), ...usernameDetail(row.fields), ...rowDetails(row, page, t)].join(SEPARATOR)}`);
    const pastEnd = page.pastEnd !== undefined ? [t('list_past_end', { page: t.number(page.pastEnd) })] : [];
    return [describe(page.query, t), ...(page.total === 0 ? [t('list_empty')] : [...pastEnd, ...rows, summary(page, t)])].join('\n');
}

/**
 * The command's ephemeral reply: one page, the count, and buttons. Paging
 * continues in the contextual bar, so the room gets no new message per page.
 */
export function renderListMessage(page: DirectoryPage, context: RenderContext): { text: string; blocks: LayoutBlock[] } {
    const { t } = context;
    const blockId = 'directory.message.actions';
    const actions: ActionsBlock = {
        type: 'actions',
        blockId,
        elements: [
            ...pagingButtons(page, context, blockId),
            button(context, blockId, Action.open, t('button_open'), encodeQuery(page.query), { style: 'primary' }),
            ...(page.total > 0 ? [button(context, blockId, Action.export, t('button_export'), encodeQuery(page.query))] : []),
        ],
    };
    const blocks = [section(describe(page.query, t)), ...listBlocks(page, context, (row) => [rowBlock(row, page, context)]), actions];
    return { text: plainReply(page, t), blocks };
}

const option = (value: string, label: string): Option => ({ value, text: { type: 'plain_text', text: label } });

/** A select whose every option says what it filters ("Account: any"), so that a row of selects reads without labels above. */
function labelledSelect(context: RenderContext, blockId: string, actionId: string, label: string, choices: Array<[string, string]>, value: string) {
    const { t } = context;
    const options = choices.map(([choice, shown]) => option(choice, t('filter_option', { label, value: shown })));
    return {
        type: 'static_select',
        appId: context.appId,
        blockId,
        actionId,
        placeholder: { type: 'plain_text', text: label },
        options,
        initialValue: choices.some(([choice]) => choice === value) ? value : choices[0][0],
    };
}

function sortChoices(list: DirectoryList, t: Translate): Array<[string, string]> {
    return SORTS.filter((sort) => SORTABLE_FIELDS[list].includes(parseSort(sort).field)).map((sort) => {
        const { field, direction } = parseSort(sort);
        return [sort, t(field === 'lastLogin' ? `sort_lastLogin_${direction === -1 ? 'desc' : 'asc'}` : `sort_${field}`)];
    });
}

const sortValue = (query: DirectoryQuery) => (query.sort ? `${query.sort.direction === -1 ? '-' : ''}${query.sort.field}` : 'name');

/** The filters of the contextual bar: the same blocks for every list, so that switching lists does not move anything. */
function filterBlocks(page: DirectoryPage, context: RenderContext, facets: ViewFacets): LayoutBlock[] {
    const { t, appId } = context;
    const { query } = page;
    const any: [string, string] = [ANY, t('filter_any')];
    const rows: LayoutBlock[] = [
        {
            type: 'input',
            blockId: 'directory.view.search',
            label: { type: 'plain_text', text: t('directory_search') },
            element: {
                type: 'plain_text_input',
                appId,
                blockId: 'directory.view.search',
                actionId: Action.search,
                placeholder: { type: 'plain_text', text: t(page.privileged ? 'directory_search_placeholder' : 'directory_search_placeholder_member') },
                initialValue: query.search,
                maxLength: MAX_SEARCH_LENGTH,
                dispatchActionConfig: ['on_character_entered'],
            },
        },
    ];
    // One select per row: each spans the bar whatever its text, so that no choice moves the others.
    const select = (actionId: string, label: string, choices: Array<[string, string]>, value: string) => {
        const blockId = `directory.view.${actionId}`;
        rows.push({ type: 'actions', blockId, elements: [labelledSelect(context, blockId, actionId, label, choices, value)] } as unknown as LayoutBlock);
    };
    select(
        Action.list,
        t('filter_list'),
        LISTS.map((list) => [list, t(`list_${list}`)]),
        query.list,
    );
    const roles = [...new Set([...facets.roles, ...query.roles])];
    rows.push({
        type: 'input',
        blockId: 'directory.view.roles',
        label: { type: 'plain_text', text: t('directory_roles') },
        element: {
            type: 'multi_static_select',
            appId,
            blockId: 'directory.view.roles',
            actionId: Action.roles,
            placeholder: { type: 'plain_text', text: t('directory_roles_placeholder') },
            options: roles.map((role) => option(role, role)),
            initialValue: query.roles,
            dispatchActionConfig: ['on_item_selected'],
        },
    } as unknown as LayoutBlock);
    select(Action.status, t('filter_account'), [any, ['active', t('status_active')], ['deactivated', t('status_deactivated')]], query.status ?? ANY);
    select(Action.type, t('filter_type'), [any, ...TYPES.map((type): [string, string] => [type, type])], query.type ?? ANY);
    select(Action.sort, t('filter_sort'), sortChoices(query.list, t), sortValue(query));
    if (page.privileged) {
        const days = INACTIVE_DAYS.map((count): [string, string] => [String(count), t('inactive_option', { days: t.number(count) })]);
        select(Action.inactive, t('filter_last_login'), [any, ...days], query.inactiveDays !== undefined ? String(query.inactiveDays) : ANY);
        for (const [field, values] of facets.customFields) {
            select(`${Action.customField}${field}`, field, [any, ...values.map((value): [string, string] => [value, value])], query.customFields[field] ?? ANY);
        }
    }
    return rows;
}

/** What the contextual bar offers to choose from: the workspace's own roles and custom fields. */
export interface ViewFacets {
    roles: string[];
    /** Fields with few enough values to list (admins only). */
    customFields: Array<[string, string[]]>;
}

/** The contextual bar: search, labelled filters, the page, and paging; re-rendered in place on every action. */
export function renderDirectoryView(page: DirectoryPage, context: RenderContext, facets: ViewFacets) {
    const { t } = context;
    const actionsBlockId = 'directory.view.actions';
    const blocks: LayoutBlock[] = [
        ...filterBlocks(page, context, facets),
        { type: 'divider' },
        ...listBlocks(page, context, (row) => [rowBlock(row, page, context)]),
        {
            type: 'actions',
            blockId: actionsBlockId,
            elements: [
                ...pagingButtons(page, context, actionsBlockId),
                ...(page.total > 0 ? [button(context, actionsBlockId, Action.export, t('button_export'), encodeQuery(page.query))] : []),
            ],
        },
    ];
    return { id: DIRECTORY_VIEW_ID, type: 'contextualBar', title: { type: 'plain_text' as const, text: t('directory_title') }, blocks };
}

/** `/users help`: the filters with examples; admins also see theirs, with the workspace's custom fields. */
export function renderHelp(context: RenderContext, admin: { customFields: string[] } | undefined): { text: string; blocks: LayoutBlock[] } {
    const { t } = context;
    const lines = t('help_lines', {
        search: code('/users jerome'),
        role: code('/users role:admin,bot'),
        status: code('status:deactivated'),
        type: code('type:bot'),
        loggedin: code('loggedin:no'),
        agents: code('/users agents'),
        managers: code('/users managers'),
        sort: code('sort:-lastLogin'),
        page: code('page:3'),
        pageSize: t.number(PAGE_SIZE),
        export: code('/users role:user export:csv'),
    });
    const sections = [t('help_title'), lines];
    if (admin) {
        const example = admin.customFields[0] ?? 'team';
        sections.push(
            t('help_admin', {
                inactive: code('inactive:90d'),
                custom: code(`${example}:value`),
                fields: admin.customFields.length > 0 ? admin.customFields.map(code).join(', ') : t('help_no_custom_fields'),
            }),
        );
    }
    const blockId = 'directory.help.actions';
    const blocks: LayoutBlock[] = [
        ...sections.map(section),
        mrkdwnContext(t('help_footer')),
        {
            type: 'actions',
            blockId,
            elements: [button(context, blockId, Action.open, t('button_open'), encodeQuery(emptyQuery()), { style: 'primary' })],
        },
    ];
    return { text: [...sections, t('help_footer')].join('\n'), blocks };
}

/** The query after a change in the contextual bar: a new filter starts again at page 1. */
export function applyViewAction(query: DirectoryQuery, actionId: string, value: string | string[] | undefined): DirectoryQuery {
    const single = Array.isArray(value) ? value[0] : value;
    const chosen = single && single !== ANY ? single : undefined;
    const next = { ...query, page: 1 };
    switch (actionId) {
        case Action.search:
            return { ...next, search: (single ?? '').slice(0, MAX_SEARCH_LENGTH) };
        case Action.list: {
            const list: DirectoryList = chosen === 'agents' || chosen === 'managers' ? chosen : 'users';
            const sort = query.sort && SORTABLE_FIELDS[list].includes(query.sort.field) ? query.sort : undefined;
            return { ...next, list, sort };
        }
        case Action.sort: {
            const sort = chosen ? parseSort(chosen) : undefined;
            return { ...next, sort: sort && SORTABLE_FIELDS[query.list].includes(sort.field) ? sort : undefined };
        }
        case Action.status:
            return { ...next, status: chosen === 'active' || chosen === 'deactivated' ? chosen : undefined };
        case Action.type:
            return { ...next, type: chosen };
        case Action.roles:
            return { ...next, roles: (Array.isArray(value) ? value : value ? [value] : []).filter((role) => typeof role === 'string' && role !== '') };
        case Action.inactive: {
            const days = Number(chosen);
            return { ...next, inactiveDays: INACTIVE_DAYS.includes(days) ? days : undefined };
        }
        default:
            if (actionId.startsWith(Action.customField)) {
                const field = actionId.slice(Action.customField.length);
                const { [field]: _dropped, ...others } = query.customFields;
                return { ...next, customFields: chosen ? { ...others, [field]: chosen } : others };
            }
            return query;
    }
}
