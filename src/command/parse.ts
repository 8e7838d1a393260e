/**
 * `/users [search words] [filters]` → what to list. Pure: the slash command,
 * its buttons and the contextual bar all go through here, and then through
 * the endpoints' core.
 */

export type DirectoryList = 'users' | 'agents' | 'managers';
export const LISTS: readonly DirectoryList[] = ['users', 'agents', 'managers'];

export interface DirectoryQuery {
    list: DirectoryList;
    /** Free words, each found in username or name (and emails for those who may see them), ignoring accents and case. */
    search: string;
    /** Any of these roles. */
    roles: string[];
    status?: 'active' | 'deactivated';
    type?: string;
    loggedIn?: boolean;
    sort?: { field: string; direction: 1 | -1 };
    /** Last login older than this many days, or never (admins). */
    inactiveDays?: number;
    /** Custom field → value it must equal (admins). */
    customFields: Record<string, string>;
    /** 1-based. */
    page: number;
}

export type Command = { kind: 'help' } | { kind: 'summary' } | { kind: 'list'; query: DirectoryQuery; exportCsv: boolean };

/** A problem with what the user typed: an i18n key and its values. */
export class CommandError extends Error {
    constructor(
        public readonly key: string,
        public readonly values: Record<string, string> = {},
    ) {
        super(key);
    }
}

export const PAGE_SIZE = 10;
export const MAX_SEARCH_LENGTH = 200;
export const MAX_INACTIVE_DAYS = 3650;
const MAX_PAGE = 9_999_999;

/** Fields a chat sort may name, per list: those its rows show. */
export const SORTABLE_FIELDS: Record<DirectoryList, readonly string[]> = {
    users: ['username', 'name', 'status', 'active', 'lastLogin', 'type', 'roles'],
    agents: ['username', 'name', 'status'],
    managers: ['username', 'name', 'status'],
};

const YES = new Set(['yes', 'true', '1']);
const NO = new Set(['no', 'false', '0']);
/** A `key:value` word whose key looks like a name is a filter (a custom field unless built in); anything else is searched. */
const FILTER_KEY = /^[a-z][\w.-]{0,63}$/i;

export function emptyQuery(list: DirectoryList = 'users'): DirectoryQuery {
    return { list, search: '', roles: [], customFields: {}, page: 1 };
}

/** Whether a query filters on what only the users' list has (role, status, type, login), so that other lists need its permission too. */
export function hasUserFilters(query: DirectoryQuery): boolean {
    return query.roles.length > 0 || query.status !== undefined || query.type !== undefined || query.loggedIn !== undefined;
}

export function parseSort(value: string): { field: string; direction: 1 | -1 } {
    const descending = value.startsWith('-');
    return { field: descending ? value.slice(1) : value, direction: descending ? -1 : 1 };
}

export function parseCommand(args: readonly string[]): Command {
    const words = args.filter((word) => word.length > 0);
    if (words.length === 1 && (words[0].toLowerCase() === 'help' || words[0] === '?')) {
        return { kind: 'help' };
    }
    if (words.length === 1 && words[0].toLowerCase() === 'summary') {
        return { kind: 'summary' };
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
        const key = lower.slice(0, Math.max(colon, 0));
        if (colon <= 0 || !FILTER_KEY.test(key)) {
            search.push(word);
            continue;
        }
        const value = word.slice(colon + 1);
        if (value === '') {
            throw new CommandError('command_error_empty_value', { filter: word });
        }
        switch (key) {
            case 'role':
                query.roles.push(...value.split(',').filter((role) => role && !query.roles.includes(role)));
                break;
            case 'status':
                if (value !== 'active' && value !== 'deactivated') {
                    throw new CommandError('command_error_status', { value: word });
                }
                query.status = value;
                break;
            case 'type':
                query.type = value;
                break;
            case 'loggedin':
                if (!YES.has(value.toLowerCase()) && !NO.has(value.toLowerCase())) {
                    throw new CommandError('command_error_loggedin', { value: word });
                }
                query.loggedIn = YES.has(value.toLowerCase());
                break;
            case 'sort':
                query.sort = parseSort(value);
                break;
            case 'page':
                if (!/^[1-9]\d*$/.test(value) || Number(value) > MAX_PAGE) {
                    throw new CommandError('command_error_page', { value: word });
                }
                query.page = Number(value);
                break;
            case 'inactive': {
                const days = /^(\d{1,4})d$/i.exec(value);
                if (!days || Number(days[1]) < 1 || Number(days[1]) > MAX_INACTIVE_DAYS) {
                    throw new CommandError('command_error_inactive', { value: word, max: String(MAX_INACTIVE_DAYS) });
                }
                query.inactiveDays = Number(days[1]);
                break;
            }
            case 'export':
                if (lower.slice(colon + 1) !== 'csv') {
                    throw new CommandError('command_error_export', { value: word });
                }
                exportCsv = true;
                break;
            default:
                // A custom field, checked against the workspace's fields and the caller's permission later.
                query.customFields[word.slice(0, colon)] = value;
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

/** A button or select's value: the query it leads to. */
export function encodeQuery(query: DirectoryQuery): string {
    return JSON.stringify(query);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Reads a query back from a button's value; anything malformed gives the plain list, and what is kept is checked as typed input is. */
export function decodeQuery(value: string | undefined): DirectoryQuery {
    try {
        const parsed = JSON.parse(value ?? '');
        const list: DirectoryList = LISTS.includes(parsed.list) ? parsed.list : 'users';
        const sort = parsed.sort && isText(parsed.sort.field) && (parsed.sort.direction === 1 || parsed.sort.direction === -1) ? parsed.sort : undefined;
        const fields = parsed.customFields && typeof parsed.customFields === 'object' && !Array.isArray(parsed.customFields) ? parsed.customFields : {};
        return {
            ...emptyQuery(list),
            search: typeof parsed.search === 'string' ? parsed.search.slice(0, MAX_SEARCH_LENGTH) : '',
            roles: Array.isArray(parsed.roles) ? parsed.roles.filter(isText) : [],
            status: parsed.status === 'active' || parsed.status === 'deactivated' ? parsed.status : undefined,
            type: isText(parsed.type) ? parsed.type : undefined,
            loggedIn: typeof parsed.loggedIn === 'boolean' ? parsed.loggedIn : undefined,
            sort: sort && SORTABLE_FIELDS[list].includes(sort.field) ? { field: sort.field, direction: sort.direction } : undefined,
            inactiveDays:
                Number.isInteger(parsed.inactiveDays) && parsed.inactiveDays > 0 && parsed.inactiveDays <= MAX_INACTIVE_DAYS ? parsed.inactiveDays : undefined,
            customFields: Object.fromEntries(Object.entries(fields).filter(([key, text]) => FILTER_KEY.test(key) && isText(text))) as Record<string, string>,
            page: Number.isInteger(parsed.page) && parsed.page > 0 && parsed.page <= MAX_PAGE ? parsed.page : 1,
        };
    } catch {
        return emptyQuery();
    }
}

/**
 * The endpoint request (path parameters and query string) that answers a
 * directory query, less the search and the chat's own filters, which narrow it
 * (see run.ts).
 */
export function toEndpointRequest(query: DirectoryQuery, count: number): { query: Record<string, unknown>; params?: Record<string, string> } {
    const common: Record<string, unknown> = { count: String(count), offset: String((query.page - 1) * count) };
    if (query.sort) {
        common.sort = JSON.stringify({ [query.sort.field]: query.sort.direction });
    }
    if (query.list !== 'users') {
        return { query: common, params: { type: query.list === 'agents' ? 'agent' : 'manager' } };
    }
    return {
        query: {
            ...common,
            ...(query.roles.length > 0 && { roles: query.roles }),
            ...(query.status && { status: query.status }),
            ...(query.type && { type: query.type }),
            ...(query.loggedIn !== undefined && { hasLoggedIn: String(query.loggedIn) }),
        },
    };
}
