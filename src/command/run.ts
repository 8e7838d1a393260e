import { customFieldIs, facetsOf, inactiveFor, matchesWords, wordsInNames } from '../core/chatFilters';
import type { Caller } from '../core/config';
import { Filter, Flag } from '../core/directory';
import { ApiError } from '../core/errors';
import { anyRole, hasFlag, ofType } from '../core/filters';
import { authorizeUserListing, ListContext, Listing, seesFullUserInfo, selectLivechatUsers, selectUsersByStatus } from '../core/handlers';
import { CommandError, DirectoryQuery, hasUserFilters, toEndpointRequest } from './parse';

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
        // The livechat lists take these filters too (one layout for every list), with the users' list's permission.
        authorizeUserListing(caller, context.config);
        if (query.status) filters.push(hasFlag(query.status === 'active' ? Flag.ACTIVE : Flag.DEACTIVATED, true));
        if (query.loggedIn !== undefined) filters.push(hasFlag(Flag.LOGGED_IN, query.loggedIn));
        if (query.type) filters.push(ofType(query.type));
        if (query.roles.length > 0) filters.push(anyRole(query.roles));
    }
    if (query.inactiveDays !== undefined) {
        if (!privileged) throw new CommandError('command_error_admin_only', { filter: 'inactive:' });
        filters.push(inactiveFor(query.inactiveDays));
    }
    const known = Object.keys(query.customFields).length > 0 ? facetsOf(context.directory).customFields : undefined;
    for (const [field, value] of Object.entries(query.customFields)) {
        if (!privileged || !known?.has(field)) throw new CommandError('command_error_unknown_filter', { filter: `${field}:` });
        filters.push(customFieldIs(field, value));
    }
    return filters;
}

/**
 * Answers a chat query with the endpoints' own core: users come from
 * users.listByStatus, agents and managers from livechat/users/{type}, with
 * the same permissions and visibility.
 */
export function selectDirectory(query: DirectoryQuery, caller: Caller, context: ListContext, pageSize: number): { listing: Listing; privileged: boolean } {
    try {
        const request = { caller, ...toEndpointRequest(query, pageSize), narrow: chatFilters(query, caller, context) };
        const listing = query.list === 'users' ? selectUsersByStatus(request, context) : selectLivechatUsers(request, context);
        return { listing, privileged: seesFullUserInfo(caller, context.config) };
    } catch (error) {
        if (error instanceof ApiError) {
            throw error.status === 403 || error.status === 401 ? new CommandError('not_allowed') : new CommandError('command_error_usage');
        }
        throw error;
    }
}

export function directoryPage(query: DirectoryQuery, caller: Caller, context: ListContext, pageSize: number): DirectoryPage {
    let { listing, privileged } = selectDirectory(query, caller, context, pageSize);
    const pageCount = Math.max(1, Math.ceil(listing.total / pageSize));
    let pastEnd: number | undefined;
    if (query.page > pageCount) {
        // A page past the end shows the last one, and says so.
        pastEnd = query.page;
        query = { ...query, page: pageCount };
        ({ listing, privileged } = selectDirectory(query, caller, context, pageSize));
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
