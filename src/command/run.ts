import type { Caller } from '../core/config';
import { Directory, Filter, Flag } from '../core/directory';
import { ApiError } from '../core/errors';
import { anyRole, hasFlag, ofType } from '../core/filters';
import {
    authorizeUserListing,
    listLivechatUsers,
    listUsersByStatus,
    ListContext,
    Listing,
    LivechatUsersQuery,
    seesFullUserInfo,
    UsersByStatusQuery,
} from '../core/handlers';
import type { Page, SortSpec } from '../core/params';
import { CommandError, fromApiError, PermissionError } from './errors';
import { customFieldIs, facetsOf, inactiveFor, matchesWords, wordsInNames } from './filters';
import { collatorFor, isReadingSort, pageInOrder, Readable, readingOrder } from './order';
import { DirectoryQuery, hasUserFilters } from './parse';

/** One page of a directory query, ready to render. */
export interface DirectoryPage {
    query: DirectoryQuery;
    /** The rows the caller may see; `foundByEmail` when the search matched an email and not the names. */
    rows: Array<{ fields: Record<string, unknown>; foundByEmail: boolean }>;
    total: number;
    pageCount: number;
    pageSize: number;
    /** The caller may see emails, last logins of all lists, and filter on them and on custom fields. */
    privileged: boolean;
    /** The page asked for, when it was past the end (the last page is shown instead). */
    pastEnd?: number;
}

/** The core's typed request that answers a chat query: users from users.listByStatus, agents and managers from livechat/users/{type}. */
export type CoreRequest = { list: 'users'; request: UsersByStatusQuery } | { list: 'livechat'; request: LivechatUsersQuery };

/**
 * The request for a directory query, less the search and the chat's own
 * filters, which come as `narrow`. The livechat lists take the users' list's
 * filters as `narrow` too (one layout for every list).
 */
export function toCoreRequest(query: DirectoryQuery, caller: Caller, page: Page, narrow: Filter[]): CoreRequest {
    const sort: SortSpec | undefined = query.sort ? [[query.sort.field, query.sort.direction]] : undefined;
    if (query.list !== 'users') {
        const userFilters: Filter[] = [];
        if (query.status) userFilters.push(hasFlag(query.status === 'active' ? Flag.ACTIVE : Flag.DEACTIVATED, true));
        if (query.loggedIn !== undefined) userFilters.push(hasFlag(Flag.LOGGED_IN, query.loggedIn));
        if (query.type) userFilters.push(ofType(query.type));
        if (query.roles.length > 0) userFilters.push(anyRole(query.roles));
        const type = query.list === 'agents' ? 'agent' : 'manager';
        return { list: 'livechat', request: { caller, type, page, sort, narrow: [...userFilters, ...narrow] } };
    }
    return {
        list: 'users',
        request: {
            caller,
            page,
            sort,
            ...(query.roles.length > 0 && { roles: query.roles }),
            ...(query.status && { status: query.status }),
            ...(query.type && { type: query.type }),
            ...(query.loggedIn !== undefined && { hasLoggedIn: query.loggedIn }),
            narrow,
        },
    };
}

/**
 * The chat's filters beyond the endpoint's parameters. Admin-only ones
 * (inactive, custom fields) are refused to others, and an unknown custom field
 * reads as an unknown filter, so that nobody learns field names this way.
 */
function chatFilters(query: DirectoryQuery, caller: Caller, context: ListContext): Filter[] {
    const privileged = seesFullUserInfo(caller, context.config);
    const filters: Filter[] = [];
    const words = matchesWords(query.search, query.list === 'users' ? privileged : true);
    if (words) filters.push(words);

    if (query.list !== 'users' && hasUserFilters(query)) {
        // The users' list's filters on another list need the users' list's permission.
        authorizeUserListing(caller, context.config);
    }
    if (query.inactiveDays !== undefined) {
        if (!privileged) throw new PermissionError('command_error_admin_only', { filter: 'inactive:' });
        filters.push(inactiveFor(query.inactiveDays));
    }
    const known = Object.keys(query.customFields).length > 0 ? facetsOf(context.directory).customFields : undefined;
    for (const [field, value] of Object.entries(query.customFields)) {
        if (!privileged || !known?.has(field)) throw new CommandError('command_error_unknown_filter', { filter: `${field}:` });
        filters.push(customFieldIs(field, value));
    }
    return filters;
}

/** Answers a chat query with the endpoints' own core, with the same permissions and visibility. */
export function selectDirectory(query: DirectoryQuery, caller: Caller, context: ListContext, page: Page): { listing: Listing; privileged: boolean } {
    try {
        const core = toCoreRequest(query, caller, page, chatFilters(query, caller, context));
        const listing = core.list === 'users' ? listUsersByStatus(core.request, context) : listLivechatUsers(core.request, context);
        return { listing, privileged: seesFullUserInfo(caller, context.config) };
    } catch (error) {
        throw error instanceof ApiError ? fromApiError(error) : error;
    }
}

/**
 * The directory as the chat reads it: the same filters, but each page picked
 * in reading order. Only names are read to order the matches; records are
 * built for the page alone.
 */
function inReadingOrder(directory: Directory, order: (a: Readable, b: Readable) => number): Directory {
    const view = Object.create(directory) as Directory;
    view.select = (_sort, filters, offset, count) => {
        const { matches } = directory.matches(filters);
        const [ids, names, usernames] = ['_id', 'name', 'username'].map((field) => directory.reader(field));
        type Found = Readable & { slot: number };
        const found: Found[] = [];
        for (let slot = 0; slot < matches.length; slot++) {
            if (matches[slot] === 1) found.push({ slot, _id: ids(slot), name: names(slot), username: usernames(slot) });
        }
        return { records: pageInOrder<Found>(found, order, offset, count).map(({ slot }) => directory.record(slot)), total: found.length };
    };
    return view;
}

/** The context in which a query's rows come in the chat's order: reading order by name (the default) or username, else the endpoints' order. */
function chatOrder(query: DirectoryQuery, context: ListContext, collator: Intl.Collator): { query: DirectoryQuery; context: ListContext } {
    const field = query.sort?.field ?? 'name';
    if (!isReadingSort(field)) {
        return { query, context };
    }
    const order = readingOrder(collator, field, query.sort?.direction ?? 1);
    return { query: { ...query, sort: undefined }, context: { ...context, directory: inReadingOrder(context.directory, order) } };
}

/** Every match of a query, in the chat's order: what an export holds. */
export function selectAll(query: DirectoryQuery, caller: Caller, context: ListContext, collator: Intl.Collator): { listing: Listing; privileged: boolean } {
    const ordered = chatOrder({ ...query, page: 1 }, context, collator);
    return selectDirectory(ordered.query, caller, ordered.context, { offset: 0, count: Infinity });
}

/** One page of a query in the chat's order; past the end, the last page and a note saying so. */
export function directoryPage(query: DirectoryQuery, caller: Caller, context: ListContext, pageSize: number, collator = collatorFor(undefined)): DirectoryPage {
    const ordered = chatOrder(query, context, collator);
    const pageOf = (number: number): Page => ({ offset: (number - 1) * pageSize, count: pageSize });
    let { listing, privileged } = selectDirectory(ordered.query, caller, ordered.context, pageOf(query.page));
    const pageCount = Math.max(1, Math.ceil(listing.total / pageSize));
    let pastEnd: number | undefined;
    if (query.page > pageCount) {
        // A page past the end shows the last one, and says so.
        pastEnd = query.page;
        query = { ...query, page: pageCount };
        ({ listing, privileged } = selectDirectory(ordered.query, caller, ordered.context, pageOf(query.page)));
    }
    return {
        query,
        rows: listing.records.map((record) => ({ fields: listing.shape(record), foundByEmail: query.search !== '' && !wordsInNames(query.search, record) })),
        total: listing.total,
        pageCount,
        pageSize,
        privileged,
        ...(pastEnd !== undefined && { pastEnd }),
    };
}
