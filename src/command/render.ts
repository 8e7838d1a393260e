import type { ActionsBlock, ButtonElement, LayoutBlock, Option, StaticSelectElement } from '@rocket.chat/ui-kit';

import type { Translate } from '../i18n';
import { DirectoryList, DirectoryQuery, emptyQuery } from './parse';
import type { DirectoryPage } from './run';

/** Action ids of the app's buttons and inputs, shared by the renderers and the interaction handler. */
export const Action = {
    page: 'directory.page',
    open: 'directory.open',
    export: 'directory.export',
    search: 'directory.search',
    list: 'directory.list',
    status: 'directory.status',
    type: 'directory.type',
    role: 'directory.role',
} as const;

export const DIRECTORY_VIEW_ID = 'user-directory';

const PRESENCE: Record<string, string> = { online: '🟢', away: '🟡', busy: '🔴', offline: '⚪' };
const ANY = 'any';
const TYPES = ['user', 'bot', 'app'];
const ROLES = ['admin', 'user', 'bot', 'guest', 'livechat-agent', 'livechat-manager', 'owner', 'moderator'];

/** A button or select's value: the query it leads to. */
export function encodeQuery(query: DirectoryQuery): string {
    return JSON.stringify(query);
}

/** Reads a query back from a button's value; anything malformed gives the plain list. */
export function decodeQuery(value: string | undefined): DirectoryQuery {
    try {
        const parsed = JSON.parse(value ?? '');
        const list: DirectoryList = ['users', 'agents', 'managers'].includes(parsed.list) ? parsed.list : 'users';
        return {
            ...emptyQuery(list),
            search: typeof parsed.search === 'string' ? parsed.search.slice(0, 200) : '',
            roles: Array.isArray(parsed.roles) ? parsed.roles.filter((role: unknown) => typeof role === 'string') : [],
            status: parsed.status === 'active' || parsed.status === 'deactivated' ? parsed.status : undefined,
            type: typeof parsed.type === 'string' && parsed.type ? parsed.type : undefined,
            loggedIn: typeof parsed.loggedIn === 'boolean' ? parsed.loggedIn : undefined,
            sort:
                parsed.sort && typeof parsed.sort.field === 'string' && (parsed.sort.direction === 1 || parsed.sort.direction === -1)
                    ? { field: parsed.sort.field, direction: parsed.sort.direction }
                    : undefined,
            page: Number.isInteger(parsed.page) && parsed.page > 0 ? parsed.page : 1,
        };
    } catch {
        return emptyQuery();
    }
}

/** Markdown-escapes what users typed or named themselves. */
function escapeMarkdown(text: string): string {
    return text.replace(/([*_~`>|[\]\\])/g, '\\$1');
}

function rowLine(row: Record<string, unknown>, showEmails: boolean, t: Translate): string {
    const parts = [`*@${escapeMarkdown(String(row.username ?? row._id))}*`];
    if (row.name) parts.push(escapeMarkdown(String(row.name)));
    const status = typeof row.status === 'string' ? row.status : 'offline';
    parts.push(`${PRESENCE[status] ?? '⚪'} ${escapeMarkdown(status)}`);
    if (row.active === false) parts.push(`_${t('list_deactivated')}_`);
    if (Array.isArray(row.roles) && row.roles.length > 0) parts.push(row.roles.map((role) => escapeMarkdown(String(role))).join(', '));
    if (showEmails && Array.isArray(row.emails) && row.emails.length > 0) {
        parts.push(row.emails.map((email: { address: string }) => escapeMarkdown(email.address)).join(', '));
    }
    return `• ${parts.join(' · ')}`;
}

/** "Users matching “ali” · role:admin · status:active" */
function describe(query: DirectoryQuery, t: Translate): string {
    const parts = [`*${t(`list_${query.list}`)}*`];
    if (query.search) parts.push(t('filter_search', { value: escapeMarkdown(query.search) }));
    query.roles.forEach((role) => parts.push(`role:${escapeMarkdown(role)}`));
    if (query.status) parts.push(`status:${query.status}`);
    if (query.type) parts.push(`type:${escapeMarkdown(query.type)}`);
    if (query.loggedIn !== undefined) parts.push(`loggedin:${query.loggedIn ? 'yes' : 'no'}`);
    if (query.sort) parts.push(`sort:${query.sort.direction === -1 ? '-' : ''}${query.sort.field}`);
    return parts.join(' · ');
}

function rangeText(page: DirectoryPage, t: Translate): string {
    const from = page.total === 0 ? 0 : (page.query.page - 1) * page.pageSize + 1;
    const to = (page.query.page - 1) * page.pageSize + page.rows.length;
    return `${t('list_range', { from, to, total: page.total })} · ${t('list_page', { page: page.query.page, pages: page.pageCount })}`;
}

function button(appId: string, blockId: string, actionId: string, text: string, value: string, style?: ButtonElement['style']): ButtonElement {
    return { type: 'button', appId, blockId, actionId, text: { type: 'plain_text', text }, value, ...(style && { style }) };
}

function pagingButtons(page: DirectoryPage, appId: string, blockId: string, t: Translate): ButtonElement[] {
    const buttons: ButtonElement[] = [];
    if (page.query.page > 1) {
        buttons.push(button(appId, blockId, Action.page, t('button_previous'), encodeQuery({ ...page.query, page: page.query.page - 1 })));
    }
    if (page.query.page < page.pageCount) {
        buttons.push(button(appId, blockId, Action.page, t('button_next'), encodeQuery({ ...page.query, page: page.query.page + 1 })));
    }
    return buttons;
}

function listBlocks(page: DirectoryPage, t: Translate): LayoutBlock[] {
    const lines = page.rows.map((row) => rowLine(row, page.showEmails, t));
    return [
        { type: 'section', text: { type: 'mrkdwn', text: describe(page.query, t) } },
        { type: 'section', text: { type: 'mrkdwn', text: lines.length > 0 ? lines.join('\n') : `_${t('list_empty')}_` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: rangeText(page, t) }] },
    ];
}

/** The command's ephemeral reply: the page, the total, and buttons to page, open the directory and export. */
export function renderListMessage(page: DirectoryPage, appId: string, t: Translate): { text: string; blocks: LayoutBlock[] } {
    const blockId = 'directory.message.actions';
    const actions: ActionsBlock = {
        type: 'actions',
        blockId,
        elements: [
            ...pagingButtons(page, appId, blockId, t),
            button(appId, blockId, Action.open, t('button_open'), encodeQuery(page.query), 'primary'),
            button(appId, blockId, Action.export, t('button_export'), encodeQuery(page.query)),
        ],
    };
    const text = [describe(page.query, t), ...page.rows.map((row) => rowLine(row, page.showEmails, t)), rangeText(page, t)].join('\n');
    return { text, blocks: [...listBlocks(page, t), actions] };
}

function select(appId: string, blockId: string, actionId: string, placeholder: string, options: Option[], value: string): StaticSelectElement {
    return { type: 'static_select', appId, blockId, actionId, placeholder: { type: 'plain_text', text: placeholder }, options, initialValue: value };
}

const option = (value: string, text: string): Option => ({ value, text: { type: 'plain_text', text } });

/** The contextual bar: search box, filters, the page, and paging; re-rendered in place on every action. */
export function renderDirectoryView(page: DirectoryPage, appId: string, t: Translate) {
    const { query } = page;
    const filtersBlockId = 'directory.view.filters';
    const actionsBlockId = 'directory.view.actions';
    const any = option(ANY, t('directory_any'));
    const isUsers = query.list === 'users';
    const filters: ActionsBlock = {
        type: 'actions',
        blockId: filtersBlockId,
        elements: [
            select(appId, filtersBlockId, Action.list, t('directory_list'), (['users', 'agents', 'managers'] as const).map((list) => option(list, t(`list_${list}`))), query.list),
            ...(isUsers
                ? [
                      select(appId, filtersBlockId, Action.status, t('directory_status'), [any, option('active', t('status_active')), option('deactivated', t('status_deactivated'))], query.status ?? ANY),
                      select(appId, filtersBlockId, Action.type, t('directory_type'), [any, ...TYPES.map((type) => option(type, type))], query.type ?? ANY),
                      select(appId, filtersBlockId, Action.role, t('directory_role'), [any, ...ROLES.map((role) => option(role, role))], query.roles[0] ?? ANY),
                  ]
                : []),
        ],
    };
    const blocks: LayoutBlock[] = [
        {
            type: 'input',
            blockId: 'directory.view.search',
            label: { type: 'plain_text', text: t('directory_search') },
            element: {
                type: 'plain_text_input',
                appId,
                blockId: 'directory.view.search',
                actionId: Action.search,
                placeholder: { type: 'plain_text', text: t('directory_search_placeholder') },
                initialValue: query.search,
                dispatchActionConfig: ['on_character_entered'],
            },
        },
        filters,
        { type: 'divider' },
        ...listBlocks(page, t).slice(1),
        {
            type: 'actions',
            blockId: actionsBlockId,
            elements: [...pagingButtons(page, appId, actionsBlockId, t), button(appId, actionsBlockId, Action.export, t('button_export'), encodeQuery(query))],
        },
    ];
    return { id: DIRECTORY_VIEW_ID, type: 'contextualBar', title: { type: 'plain_text' as const, text: t('directory_title') }, blocks };
}

/** The query after a change in the contextual bar: a new filter starts again at page 1. */
export function applyViewAction(query: DirectoryQuery, actionId: string, value: string | undefined): DirectoryQuery {
    const chosen = value && value !== ANY ? value : undefined;
    switch (actionId) {
        case Action.search:
            return { ...query, search: (value ?? '').slice(0, 200), page: 1 };
        case Action.list: {
            const list: DirectoryList = chosen === 'agents' || chosen === 'managers' ? chosen : 'users';
            return { ...emptyQuery(list), search: query.search };
        }
        case Action.status:
            return { ...query, status: chosen === 'active' || chosen === 'deactivated' ? chosen : undefined, page: 1 };
        case Action.type:
            return { ...query, type: chosen, page: 1 };
        case Action.role:
            return { ...query, roles: chosen ? [chosen] : [], page: 1 };
        default:
            return query;
    }
}
