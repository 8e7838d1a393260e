/**
 * Shared fixtures for the unit tests of the pure core: callers, users,
 * directories, the three endpoints as functions of (query, caller), and the
 * documented error bodies written out from the spec (never built with the
 * core's own helpers, so that a wrong body in the core fails the tests).
 */
import * as qs from 'qs';

import { Caller, Config, defaultConfig } from '../../src/core/config';
import { Directory } from '../../src/core/directory';
import { ApiResponse, respond } from '../../src/core/errors';
import { Listing, ListContext, ListRequest, selectLivechatUsers, selectUsersByStatus, selectUsersList, toResponse } from '../../src/core/handlers';
import { UserRecord } from '../../src/core/record';

// ---------------------------------------------------------------- callers

export const caller = (roles: string[], id = `caller-${roles.join('-') || 'none'}`): Caller => ({ id, username: id, roles });

/** Rocket.Chat's default roles, and what each may do under the default permission settings. */
export const ADMIN = caller(['admin']); // every permission
export const USER = caller(['user']); // view-d-room, view-outside-room, view-user-voip-extension
export const GUEST = caller(['guest']); // view-d-room only
export const NO_ROLES = caller([]); // nothing
export const AGENT = caller(['user', 'livechat-agent']); // + edit-omnichannel-contact
export const MANAGER = caller(['user', 'livechat-manager']); // + view-livechat-manager, transfer-livechat-guest
export const MONITOR = caller(['livechat-monitor']); // view-livechat-manager, transfer-livechat-guest (no view-d-room)

// ---------------------------------------------------------------- users

/** A user in Rocket.Chat's shape; `nameInsensitive` derived as the record conversion does. */
export const rec = (fields: Omit<UserRecord, 'nameInsensitive'> & { nameInsensitive?: string }): UserRecord => ({
    nameInsensitive: typeof fields.name === 'string' ? fields.name.toLowerCase() : '',
    ...fields,
});

export const ALICE = rec({
    _id: 'u1',
    username: 'alice',
    name: 'Alice Liddell',
    emails: [{ address: 'alice@wonder.land', verified: true }],
    type: 'user',
    roles: ['user'],
    status: 'online',
    active: true,
    lastLogin: '2024-04-24T17:47:50.485Z',
    createdAt: '2020-01-01T00:00:00.000Z',
    _updatedAt: '2024-04-24T17:47:50.485Z',
    utcOffset: 1,
    statusText: 'Down the rabbit hole',
    customFields: { clearance: 'High', team: 'Queen' },
    federated: false,
    freeSwitchExtension: '1001',
});

export const ZED = rec({
    _id: 'u2',
    username: 'Zed',
    name: 'Zed Zero',
    emails: [{ address: 'zed@zero.io', verified: false }],
    type: 'user',
    roles: ['user', 'livechat-agent'],
    status: 'online',
    active: true,
    lastLogin: '2024-04-29T16:38:56.809Z',
    customFields: { clearance: 'Low' },
});

export const CAT = rec({
    _id: 'u3',
    username: 'rocket.cat',
    name: 'Rocket Cat',
    type: 'bot',
    roles: ['bot'],
    status: 'online',
    active: true,
});

export const OLD = rec({
    _id: 'u4',
    username: 'old.timer',
    name: 'Old Timer',
    emails: [{ address: 'old@timer.org', verified: true }],
    type: 'user',
    roles: ['user'],
    status: 'offline',
    active: false,
    lastLogin: '2019-05-01T08:00:00.000Z',
});

export const SMITH = rec({
    _id: 'u5',
    username: 'agent.smith',
    name: 'Agent Smith',
    emails: [{ address: 'smith@matrix.io', verified: true }],
    type: 'user',
    roles: ['user', 'livechat-agent'],
    status: 'offline',
    active: true,
    lastLogin: '2024-01-01T00:00:00.000Z',
});

export const BOSS = rec({
    _id: 'u6',
    username: 'boss',
    name: 'Big Boss',
    emails: [{ address: 'boss@corp.com', verified: true }],
    type: 'user',
    roles: ['admin', 'livechat-manager'],
    status: 'away',
    active: true,
    lastLogin: '2024-03-03T03:03:03.000Z',
});

export const DIALOG_BOT = rec({
    _id: 'u7',
    username: 'dialog.bot',
    name: 'Dialog Bot',
    type: 'bot',
    roles: ['bot', 'livechat-agent'],
    status: 'offline',
    active: true,
});

/** No username and no name: users.list shows it to privileged callers only (by its email). */
export const GHOST = rec({
    _id: 'u8',
    emails: [{ address: 'ghost@void.io', verified: false }],
    type: 'user',
    roles: ['user'],
    status: 'offline',
    active: true,
});

/** An agent with no name, no status and no emails; deactivated. */
export const NOBODY = rec({ _id: 'u9', username: 'nostatus', roles: ['livechat-agent'], active: false });

export const STAFF: UserRecord[] = [ALICE, ZED, CAT, OLD, SMITH, BOSS, DIALOG_BOT, GHOST, NOBODY];

/** `count` numbered users, ids and usernames zero-padded so that both orders agree. */
export function numberedUsers(count: number, extra: (i: number) => Partial<UserRecord> = () => ({})): UserRecord[] {
    return Array.from({ length: count }, (_, i) => {
        const n = String(i).padStart(4, '0');
        return rec({ _id: `id${n}`, username: `user${n}`, name: `User ${n}`, status: 'online', active: true, type: 'user', roles: ['user'], ...extra(i) });
    });
}

// ---------------------------------------------------------------- requests

export interface CallOptions {
    caller?: Caller | null;
    config?: Partial<Config>;
    directory?: Directory;
    users?: UserRecord[];
    type?: string;
}

export function config(overrides: Partial<Config> = {}): Config {
    return { ...defaultConfig(), ...overrides };
}

/** A query string as Express's extended parser (qs) hands it over: `roles[]=a&roles[]=b` becomes an array. */
export const queryString = (text: string): Record<string, unknown> => qs.parse(text, { allowPrototypes: true });

type Select = (request: ListRequest, context: ListContext) => Listing;

function call(select: Select, query: Record<string, unknown>, options: CallOptions, params?: Record<string, string>): ApiResponse {
    const directory = options.directory ?? new Directory(options.users ?? STAFF);
    const request: ListRequest = { caller: options.caller === null ? undefined : (options.caller ?? ADMIN), query, params };
    return respond(() => toResponse(select(request, { directory, config: config(options.config) })));
}

export const usersList = (query: Record<string, unknown> = {}, options: CallOptions = {}): ApiResponse => call(selectUsersList, query, options);

export const usersByStatus = (query: Record<string, unknown> = {}, options: CallOptions = {}): ApiResponse => call(selectUsersByStatus, query, options);

export const livechatUsers = (type: string | undefined, query: Record<string, unknown> = {}, options: CallOptions = {}): ApiResponse =>
    call(selectLivechatUsers, query, options, type === undefined ? {} : { type });

/** The rows of a 200 answer (fails the test on any other status). */
export function rows(response: ApiResponse): Array<Record<string, unknown>> {
    if (response.status !== 200) {
        throw new Error(`expected 200, got ${response.status}: ${JSON.stringify(response.content)}`);
    }
    return response.content.users as Array<Record<string, unknown>>;
}

export const ids = (response: ApiResponse): string[] => rows(response).map((row) => row._id as string);

export const usernames = (response: ApiResponse): unknown[] => rows(response).map((row) => row.username);

/** Runs `action` and returns its result with the time it took in milliseconds. */
export function timed<T>(action: () => T): { result: T; ms: number } {
    const started = performance.now();
    const result = action();
    return { result, ms: performance.now() - started };
}

// ---------------------------------------------------------------- documented bodies

export const UNAUTHENTICATED = {
    status: 401,
    content: { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' },
};

export const MISSING_PERMISSION = {
    status: 403,
    content: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
};

export const UNAUTHORIZED = { status: 403, content: { success: false, error: 'unauthorized' } };

export const INVALID_TYPE = { status: 400, content: { success: false, error: 'Invalid type' } };

export const invalidParams = (...messages: string[]) => ({
    status: 400,
    content: { success: false, error: `${messages.join('\n ')} [invalid-params]`, errorType: 'invalid-params' },
});

const parseJsonQueryError = (errorType: string, message: string) => ({
    status: 400,
    content: { success: false, error: `${message} [${errorType}]`, errorType, details: { helperMethod: 'parseJsonQuery' } },
});

export const invalidSort = (raw: string) => parseJsonQueryError('error-invalid-sort', `Invalid sort parameter provided: "${raw}"`);

export const invalidFields = (raw: string) => parseJsonQueryError('error-invalid-fields', `Invalid fields parameter provided: "${raw}"`);

export const invalidQueryParameter = (raw: string) => parseJsonQueryError('error-invalid-query', `Invalid query parameter provided: "${raw}"`);

/** A query that parses but is refused: `Invalid attribute: x`, `Invalid operation: $where`, ... */
export const invalidQuery = (message: string) => parseJsonQueryError('error-invalid-query', message);

export const COUNT_MESSAGE = "The 'count' parameter must be a non-negative integer";
export const OFFSET_MESSAGE = "The 'offset' parameter must be a non-negative integer";

/** The success envelope around `users`. */
export const page = (users: unknown[], total: number, offset = 0) => ({
    status: 200,
    content: { users, count: users.length, offset, total, success: true },
});
