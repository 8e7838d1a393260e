/**
 * `/users [search words] [filters]` → what to list. Pure: the slash command,
 * its buttons and the contextual bar all go through here, and then through
 * the endpoints' core.
 */

import { isPlainObject } from '../core/record';
import { CommandError } from './errors';

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

/** What `/users` lists: a query, shown as a page or exported whole. */
export interface ListCommand {
    query: DirectoryQuery;
    exportCsv: boolean;
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

/** The words of a `/users` list command (its search words and filters). */
export function parseListCommand(args: readonly string[]): ListCommand {
    const words = args.filter((word) => word.length > 0);
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
    return { query, exportCsv };
}

/** A button or select's value: the query it leads to. */
export function encodeQuery(query: DirectoryQuery): string {
    return JSON.stringify(query);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

const isCount = (value: unknown, max: number): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max;

function decodeSort(value: unknown, list: DirectoryList): DirectoryQuery['sort'] {
    if (!isPlainObject(value) || !isText(value.field) || !SORTABLE_FIELDS[list].includes(value.field)) {
        return undefined;
    }
    return value.direction === 1 || value.direction === -1 ? { field: value.field, direction: value.direction } : undefined;
}

/** Reads a query back from a button's value; anything malformed gives the plain list, and what is kept is checked as typed input is. */
export function decodeQuery(value: string | undefined): DirectoryQuery {
    let parsed: unknown;
    try {
        parsed = JSON.parse(value ?? '');
    } catch {
        return emptyQuery();
    }
    if (!isPlainObject(parsed)) {
        return emptyQuery();
    }
    const list = LISTS.find((name) => name === parsed.list) ?? 'users';
    const fields = isPlainObject(parsed.customFields) ? parsed.customFields : {};
    return {
        ...emptyQuery(list),
        search: typeof parsed.search === 'string' ? parsed.search.slice(0, MAX_SEARCH_LENGTH) : '',
        roles: Array.isArray(parsed.roles) ? parsed.roles.filter(isText) : [],
        status: parsed.status === 'active' || parsed.status === 'deactivated' ? parsed.status : undefined,
        type: isText(parsed.type) ? parsed.type : undefined,
        loggedIn: typeof parsed.loggedIn === 'boolean' ? parsed.loggedIn : undefined,
        sort: decodeSort(parsed.sort, list),
        inactiveDays: isCount(parsed.inactiveDays, MAX_INACTIVE_DAYS) ? parsed.inactiveDays : undefined,
        customFields: Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => FILTER_KEY.test(entry[0]) && isText(entry[1]))),
        page: isCount(parsed.page, MAX_PAGE) ? parsed.page : 1,
    };
}
