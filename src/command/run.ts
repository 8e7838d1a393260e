import type { Caller } from '../core/config';
import { ApiError } from '../core/errors';
import { seesFullUserInfo, ListContext, Listing, selectLivechatUsers, selectUsersByStatus } from '../core/handlers';
import { CommandError, DirectoryQuery, toEndpointRequest } from './parse';

/** One page of a directory query, ready to render. */
export interface DirectoryPage {
    query: DirectoryQuery;
    rows: Array<Record<string, unknown>>;
    total: number;
    pageCount: number;
    pageSize: number;
    showEmails: boolean;
}

/**
 * Answers a chat query with the endpoints' own core: users come from
 * users.listByStatus, agents and managers from livechat/users/{type}, with
 * the same permissions and visibility.
 */
export function selectDirectory(query: DirectoryQuery, caller: Caller, context: ListContext, pageSize: number): { listing: Listing; showEmails: boolean } {
    const request = { caller, ...toEndpointRequest(query, pageSize) };
    try {
        const listing = query.list === 'users' ? selectUsersByStatus(request, context) : selectLivechatUsers(request, context);
        return { listing, showEmails: seesFullUserInfo(caller, context.config) };
    } catch (error) {
        if (error instanceof ApiError) {
            throw error.status === 403 || error.status === 401 ? new CommandError('not_allowed') : new CommandError('command_error_usage');
        }
        throw error;
    }
}

export function directoryPage(query: DirectoryQuery, caller: Caller, context: ListContext, pageSize: number): DirectoryPage {
    const { listing, showEmails } = selectDirectory(query, caller, context, pageSize);
    return {
        query,
        rows: listing.records.map(listing.shape),
        total: listing.total,
        pageCount: Math.max(1, Math.ceil(listing.total / pageSize)),
        pageSize,
        showEmails,
    };
}
