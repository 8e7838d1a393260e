import type { LayoutBlock, Option } from '@rocket.chat/ui-kit';

import type { Translate } from '../i18n';
import { DirectoryList, DirectoryQuery, encodeQuery, LISTS, MAX_SEARCH_LENGTH, parseSort, SORTABLE_FIELDS } from './parse';
import { Action, button, listBlocks, pagingButtons, RenderContext, rowBlock } from './render';
import type { DirectoryPage } from './run';

/**
 * The contextual bar's directory: a search box, labelled filters, one page of
 * users and paging, re-rendered in place on every change.
 */

export const DIRECTORY_VIEW_ID = 'user-directory';

const ANY = 'any';
const TYPES = ['user', 'bot', 'app'];
const INACTIVE_DAYS = [30, 90, 180, 365];
/** Sort choices of the contextual bar, as `sort:` values; a list offers those its rows can be sorted by. */
const SORTS = ['name', 'username', 'status', '-lastLogin', 'lastLogin'];

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
    /** The caller may see the workspace summary. */
    summary?: boolean;
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
                ...(facets.summary ? [button(context, actionsBlockId, Action.summary, t('summary_button_open'), 'open')] : []),
                // Admins filtering by last login can take the list to the deactivation review (which checks who may).
                ...(page.privileged && page.query.inactiveDays !== undefined
                    ? [button(context, actionsBlockId, Action.reviewDeactivation, t('seats_button_open_review'), String(page.query.inactiveDays))]
                    : []),
            ],
        },
    ];
    return { id: DIRECTORY_VIEW_ID, type: 'contextualBar', title: { type: 'plain_text' as const, text: t('directory_title') }, blocks };
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
