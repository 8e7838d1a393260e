/**
 * `/users [search words] [filters]` → what to list. Pure: the slash command,
 * its buttons and the contextual bar all go through here, and then through
 * the endpoints' core.
 */

export type DirectoryList = 'users' | 'agents' | 'managers';

export interface DirectoryQuery {
    list: DirectoryList;
    /** Free words: a case-insensitive substring of username or name (and emails for those who may see them). */
    search: string;
    roles: string[];
    status?: 'active' | 'deactivated';
    type?: string;
    loggedIn?: boolean;
    sort?: { field: string; direction: 1 | -1 };
    /** 1-based. */
    page: number;
}

export type Command = { kind: 'help' } | { kind: 'list'; query: DirectoryQuery; exportCsv: boolean };

/** A problem with what the user typed: an i18n key and its values. */
export class CommandError extends Error {
    constructor(public readonly key: string, public readonly values: Record<string, string> = {}) {
        super(key);
    }
}

export const PAGE_SIZE = 10;
const MAX_SEARCH_LENGTH = 200;

/** Fields a chat sort may name, per list: those its rows show. */
export const SORTABLE_FIELDS: Record<DirectoryList, readonly string[]> = {
    users: ['username', 'name', 'status', 'active', 'lastLogin', 'type', 'roles', 'emails'],
    agents: ['username', 'name', 'status', 'emails'],
    managers: ['username', 'name', 'status', 'emails'],
};

const USER_ONLY_FILTERS = new Set(['role', 'status', 'type', 'loggedin']);
const YES = new Set(['yes', 'true', '1']);
const NO = new Set(['no', 'false', '0']);

export function emptyQuery(list: DirectoryList = 'users'): DirectoryQuery {
    return { list, search: '', roles: [], page: 1 };
}

export function parseCommand(args: readonly string[]): Command {
    const words = args.filter((word) => word.length > 0);
    if (words.length === 1 && (words[0].toLowerCase() === 'help' || words[0] === '?')) {
        return { kind: 'help' };
    }
    const query = emptyQuery();
    const search: string[] = [];
    let exportCsv = false;

    for (const word of words) {
        const lower = word.toLowerCase();
        if (lower === 'agents' || lower === 'managers') {
            query.list = lower;
            continue;
        }
        const colon = word.indexOf(':');
        if (colon <= 0) {
            search.push(word);
            continue;
        }
        const key = lower.slice(0, colon);
        const value = word.slice(colon + 1);
        if (value === '') {
            throw new CommandError('command_error_empty_value', { filter: key });
        }
        switch (key) {
            case 'role':
                query.roles.push(...value.split(',').filter(Boolean));
                break;
            case 'status':
                if (value !== 'active' && value !== 'deactivated') {
                    throw new CommandError('command_error_status', { value });
                }
                query.status = value;
                break;
            case 'type':
                query.type = value;
                break;
            case 'loggedin':
                if (!YES.has(value.toLowerCase()) && !NO.has(value.toLowerCase())) {
                    throw new CommandError('command_error_loggedin', { value });
                }
                query.loggedIn = YES.has(value.toLowerCase());
                break;
            case 'sort': {
                const descending = value.startsWith('-');
                query.sort = { field: descending ? value.slice(1) : value, direction: descending ? -1 : 1 };
                break;
            }
            case 'page':
                if (!/^[1-9]\d{0,6}$/.test(value)) {
                    throw new CommandError('command_error_page', { value });
                }
                query.page = Number(value);
                break;
            case 'export':
                if (value.toLowerCase() !== 'csv') {
                    throw new CommandError('command_error_export', { value });
                }
                exportCsv = true;
                break;
            default:
                throw new CommandError('command_error_unknown_filter', { filter: key });
        }
    }

    if (query.list !== 'users') {
        const userOnly = words.find((word) => USER_ONLY_FILTERS.has(word.slice(0, Math.max(word.indexOf(':'), 0)).toLowerCase()));
        if (userOnly) {
            throw new CommandError('command_error_filter_not_for_livechat', { filter: userOnly, list: query.list });
        }
    }
    if (query.sort && !SORTABLE_FIELDS[query.list].includes(query.sort.field)) {
        throw new CommandError('command_error_sort', { field: query.sort.field, fields: SORTABLE_FIELDS[query.list].join(', ') });
    }
    query.search = search.join(' ');
    if (query.search.length > MAX_SEARCH_LENGTH) {
        throw new CommandError('command_error_search_length', { max: String(MAX_SEARCH_LENGTH) });
    }
    return { kind: 'list', query, exportCsv };
}

/** The endpoint request (path parameters and query string) that answers a directory query. */
export function toEndpointRequest(query: DirectoryQuery, count: number): { query: Record<string, unknown>; params?: Record<string, string> } {
    const common: Record<string, unknown> = { count: String(count), offset: String((query.page - 1) * count) };
    if (query.sort) {
        common.sort = JSON.stringify({ [query.sort.field]: query.sort.direction });
    }
    if (query.list !== 'users') {
        return { query: { ...common, ...(query.search && { text: query.search }) }, params: { type: query.list === 'agents' ? 'agent' : 'manager' } };
    }
    return {
        query: {
            ...common,
            ...(query.search && { searchTerm: query.search }),
            ...(query.roles.length > 0 && { roles: query.roles }),
            ...(query.status && { status: query.status }),
            ...(query.type && { type: query.type }),
            ...(query.loggedIn !== undefined && { hasLoggedIn: String(query.loggedIn) }),
        },
    };
}
