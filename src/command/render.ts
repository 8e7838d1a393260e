import type { ActionsBlock, ButtonElement, ContextBlock, LayoutBlock } from '@rocket.chat/ui-kit';

import type { Translate } from '../i18n';
import { code, strong, text } from './mrkdwn';
import { DirectoryQuery, emptyQuery, encodeQuery, PAGE_SIZE } from './parse';
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
    summary: 'directory.summary.open',
    summaryRefresh: 'directory.summary.refresh',
    /** Opens the deactivation review (src/seats) for the last-login filter's days. */
    reviewDeactivation: 'seats.review',
} as const;

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

export const SEPARATOR = ' · ';

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

export type Row = DirectoryPage['rows'][number];

/** What to say about a user beyond name, username and presence: only what matters for this list and query. */
export function rowDetails({ fields, foundByEmail }: Row, page: DirectoryPage, t: Translate): string[] {
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

export const usernameOf = (fields: Record<string, unknown>) => (typeof fields.username === 'string' ? fields.username : undefined);
const nameOf = (fields: Record<string, unknown>) => (typeof fields.name === 'string' && fields.name.trim() !== '' ? fields.name : undefined);

/** "🟢 *Ada O'Brien*": presence and the name (the username when there is no name). */
export function title(fields: Record<string, unknown>): string {
    return `${presenceMark(fields)} ${strong(nameOf(fields) ?? usernameOf(fields) ?? String(fields._id))}`;
}

/** The username exactly as it is ("@ada_20"). */
export function usernameDetail(fields: Record<string, unknown>): string[] {
    const username = usernameOf(fields);
    return username ? [text(handle(username))] : [];
}

export function avatar(fields: Record<string, unknown>, siteUrl: string): { type: 'image'; imageUrl: string; altText: string }[] {
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
export function rowBlock(row: Row, page: DirectoryPage, context: RenderContext): ContextBlock {
    // A user without a name is shown by the username alone, not twice.
    const who = nameOf(row.fields) || !usernameOf(row.fields) ? `${title(row.fields)} ` : `${presenceMark(row.fields)} `;
    const line = [`${who}${usernameLink(row.fields, context.siteUrl).join('')}`.trim(), ...rowDetails(row, page, context.t)].join(SEPARATOR);
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

export function button(
    context: RenderContext,
    blockId: string,
    actionId: string,
    label: string,
    value: string,
    extra: Partial<ButtonElement> = {},
): ButtonElement {
    return { type: 'button', appId: context.appId, blockId, actionId, text: { type: 'plain_text', text: label }, value, ...extra };
}

export function pagingButtons(page: DirectoryPage, context: RenderContext, blockId: string): ButtonElement[] {
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
export function listBlocks(page: DirectoryPage, context: RenderContext, rowBlocks: (row: Row) => LayoutBlock[]): LayoutBlock[] {
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

/** `/users help`: the filters with examples; admins also see theirs, with the workspace's custom fields. */
export function renderHelp(
    context: RenderContext,
    admin: { customFields: string[] } | undefined,
    options: { summary?: boolean } = {},
): { text: string; blocks: LayoutBlock[] } {
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
    if (options.summary) {
        sections.push(t('help_summary', { summary: code('/users summary') }));
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
