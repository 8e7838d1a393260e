import { Caller, Config, hasPermission } from './config';
import { Directory, DirectoryEntry, EntryTest } from './directory';
import { ApiResponse, invalidLivechatType, invalidParams, missingPermission, unauthenticated, unauthorized } from './errors';
import { Page, parseFieldInclusions, parsePage, parseSort, QueryParams, Schema, SortSpec, validateParams, withAppendedKeys } from './params';
import { Projection } from './projection';
import { compileQuery, parseQuery } from './query';
import { RECORD_FIELDS } from './record';

/**
 * The three listing endpoints as pure functions of (request, directory,
 * settings): parse → authorize → select → shape. No engine objects here.
 */

export interface ListRequest {
    /** The authenticated user, if any. */
    caller?: Caller;
    /** Query-string parameters as parsed by the server. */
    query: QueryParams;
    /** Path parameters (`:type`). */
    params?: Record<string, string>;
}

export interface ListContext {
    directory: Directory;
    config: Config;
}

/** A listing before it becomes a response: what the command and the UI reuse. */
export interface Listing {
    entries: DirectoryEntry[];
    total: number;
    page: Page;
    /** Shapes one entry into the row this caller may see. */
    shape: (entry: DirectoryEntry) => Record<string, unknown>;
}

const BY_USERNAME: SortSpec = [['username', 1]];
const BY_NAME: SortSpec = [['name', 1]];

const LIST_FIELDS = ['_id', 'name', 'username', 'status', 'active', 'type', 'nameInsensitive'];
const LIST_PRIVILEGED_FIELDS = ['emails', 'roles', 'lastLogin'];
/** Fields an ordinary caller may never select on users.list (Rocket.Chat's list, less what apps never see). */
const LIST_HIDDEN_FIELDS = new Set([
    'emails',
    'phone',
    'statusConnection',
    'createdAt',
    'lastLogin',
    'services',
    'roles',
    'statusDefault',
    '_updatedAt',
    'customFields',
    'settings',
    'avatarOrigin',
    'requirePasswordChange',
    'requirePasswordChangeReason',
]);
const BY_STATUS_FIELDS = ['_id', 'name', 'username', 'emails', 'roles', 'status', 'active', 'lastLogin', 'type', 'federated'];
const LIVECHAT_SORTABLE_FIELDS = ['_id', 'username', 'status', 'name', 'emails'];

const BY_STATUS_SCHEMA: Schema = {
    type: 'object',
    properties: {
        status: { type: 'string', enum: ['active', 'deactivated'] },
        hasLoggedIn: { type: 'boolean' },
        type: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
        searchTerm: { type: 'string' },
        sort: {},
        count: {},
        offset: {},
    },
    additionalProperties: false,
};

const LIVECHAT_SCHEMA: Schema = {
    type: 'object',
    properties: {
        text: { type: 'string' },
        onlyAvailable: { type: 'boolean' },
        excludeId: { type: 'string' },
        showIdleAgents: { type: 'boolean' },
        sort: {},
        count: {},
        offset: {},
        query: {},
        fields: {},
    },
    additionalProperties: false,
};

export function requireCaller(request: ListRequest): Caller {
    if (!request.caller) {
        throw unauthenticated();
    }
    return request.caller;
}

/** users.list and users.listByStatus: `view-d-room`, and `view-outside-room` when the setting applies it. */
export function authorizeUserListing(caller: Caller, config: Config): void {
    if (!hasPermission(caller, 'view-d-room', config)) {
        throw missingPermission();
    }
    if (config.applyViewOutsideRoom && !hasPermission(caller, 'view-outside-room', config)) {
        throw unauthorized();
    }
}

/** Emails, roles and last logins of others: `view-full-other-user-info`. */
export function seesFullUserInfo(caller: Caller, config: Config): boolean {
    return hasPermission(caller, 'view-full-other-user-info', config);
}

function seesVoipExtension(caller: Caller, config: Config): boolean {
    return seesFullUserInfo(caller, config) || hasPermission(caller, 'view-user-voip-extension', config);
}

/** Case-insensitive literal substring test over the pre-lowered search keys. */
export function textTest(text: string, includeEmails: boolean): EntryTest {
    const needle = text.toLowerCase();
    return (entry) =>
        entry.usernameLower.includes(needle) || entry.nameLower.includes(needle) || (includeEmails && entry.emailsLower.some((email) => email.includes(needle)));
}

function allOf(tests: EntryTest[]): EntryTest | undefined {
    if (tests.length <= 1) {
        return tests[0];
    }
    return (entry) => {
        for (const test of tests) {
            if (!test(entry)) {
                return false;
            }
        }
        return true;
    };
}

function select(context: ListContext, projection: Projection, sort: SortSpec, tests: EntryTest[], page: Page): Listing {
    const { entries, total } = context.directory.select(projection.sortKeys(sort), allOf(tests), page.offset, page.count);
    return { entries, total, page, shape: (entry) => projection.shape(entry.record) };
}

export function toResponse(listing: Listing): ApiResponse {
    const users = listing.entries.map(listing.shape);
    return { status: 200, content: { users, count: users.length, offset: listing.page.offset, total: listing.total, success: true } };
}

/** GET users.list */
export function selectUsersList(request: ListRequest, context: ListContext): Listing {
    const { config } = context;
    const caller = requireCaller(request);
    authorizeUserListing(caller, config);

    const privileged = seesFullUserInfo(caller, config);
    const selectable = (field: string) =>
        privileged ? field !== 'services' : !LIST_HIDDEN_FIELDS.has(field) && (field !== 'freeSwitchExtension' || seesVoipExtension(caller, config));
    const page = parsePage(request.query, config);
    const sort = withAppendedKeys(parseSort(request.query.sort, BY_USERNAME), true);

    const fields = privileged ? [...LIST_FIELDS, ...LIST_PRIVILEGED_FIELDS] : [...LIST_FIELDS];
    const tests: EntryTest[] = [];
    let replacesBaseFilter = false;
    if (config.allowQueryAndFields) {
        for (const field of parseFieldInclusions(request.query.fields)) {
            if (selectable(field.split('.')[0])) {
                fields.push(field);
            }
        }
        if (request.query.query !== undefined) {
            const query = parseQuery(request.query.query, (root) => selectable(root) && (RECORD_FIELDS as readonly string[]).includes(root));
            const matches = compileQuery(query);
            tests.push((entry) => matches(entry.record));
            replacesBaseFilter = '$or' in query;
        }
    }
    if (!replacesBaseFilter) {
        tests.unshift(({ record }) => typeof record.username === 'string' || typeof record.name === 'string' || (privileged && !!record.emails?.length));
    }
    return select(context, new Projection(fields), sort, tests, page);
}

/** GET users.listByStatus */
export function selectUsersByStatus(request: ListRequest, context: ListContext): Listing {
    const { config } = context;
    const caller = requireCaller(request);
    authorizeUserListing(caller, config);

    const params = validateParams(request.query, BY_STATUS_SCHEMA);
    const page = parsePage(params, config);
    const sort = withAppendedKeys(parseSort(params.sort, BY_USERNAME), false);

    const tests: EntryTest[] = [];
    if (params.status !== undefined) {
        const active = params.status === 'active';
        tests.push(({ record }) => (active ? record.active === true : record.active === false));
    }
    if (params.hasLoggedIn !== undefined) {
        const loggedIn = params.hasLoggedIn === true;
        tests.push(({ record }) => (record.lastLogin !== undefined) === loggedIn);
    }
    if (typeof params.type === 'string' && params.type !== '') {
        const type = params.type;
        tests.push(({ record }) => record.type === type);
    }
    const roles = params.roles as string[] | undefined;
    if (roles && roles.length > 0 && !roles.includes('all')) {
        const wanted = new Set(roles);
        tests.push(({ record }) => !!record.roles?.some((role) => wanted.has(role)));
    }
    const searchTerm = params.searchTerm as string | undefined;
    if (searchTerm !== undefined && searchTerm.trim() !== '') {
        tests.push(textTest(searchTerm, seesFullUserInfo(caller, config)));
    }
    const fields = seesVoipExtension(caller, config) ? [...BY_STATUS_FIELDS, 'freeSwitchExtension'] : BY_STATUS_FIELDS;
    return select(context, new Projection(fields), sort, tests, page);
}

export type LivechatUserType = 'agent' | 'manager';

export function isLivechatUserType(type: unknown): type is LivechatUserType {
    return type === 'agent' || type === 'manager';
}

/** GET livechat/users/:type — its own order of checks: 401, the type, parameters, then permission. */
export function selectLivechatUsers(request: ListRequest, context: ListContext): Listing {
    const { config } = context;
    const caller = requireCaller(request);
    const type = request.params?.type;
    if (!isLivechatUserType(type)) {
        throw invalidLivechatType();
    }
    const params = validateParams(request.query, LIVECHAT_SCHEMA);
    const page = parsePage(params, config);
    const sort = parseSort(params.sort, BY_NAME);
    if (type === 'agent' && params.onlyAvailable === true) {
        throw invalidParams("onlyAvailable=true needs the agents' livechat status, which Rocket.Chat does not expose to apps");
    }
    const allowed =
        type === 'manager'
            ? hasPermission(caller, 'view-livechat-manager', config)
            : hasPermission(caller, 'transfer-livechat-guest', config) || hasPermission(caller, 'edit-omnichannel-contact', config);
    if (!allowed) {
        throw unauthorized();
    }

    const role = type === 'agent' ? 'livechat-agent' : 'livechat-manager';
    const tests: EntryTest[] = [({ record }) => !!record.roles?.includes(role)];
    if (typeof params.text === 'string' && params.text !== '') {
        tests.push(textTest(params.text, true));
    }
    if (type === 'agent') {
        const excludeId = params.excludeId;
        if (typeof excludeId === 'string' && excludeId !== '') {
            tests.push(({ record }) => record._id !== excludeId);
        }
        if (params.showIdleAgents === false) {
            tests.push(({ record }) => (record.status !== undefined && record.status !== 'offline') || !!record.roles?.includes('bot'));
        }
    }
    const listing = select(context, new Projection(LIVECHAT_SORTABLE_FIELDS), sort, tests, page);
    return { ...listing, shape: livechatRow };
}

/** Rocket.Chat's agent/manager row; the engine exposes neither livechat status nor departments. */
function livechatRow({ record }: DirectoryEntry): Record<string, unknown> {
    return {
        _id: record._id,
        username: record.username ?? null,
        status: record.status ?? null,
        statusLivechat: null,
        name: record.name ?? null,
        emails: record.emails ?? null,
        livechat: null,
        departments: [],
    };
}

/** The app's own endpoint: what the directory holds, for admins. */
export function directoryInfo(request: ListRequest, context: ListContext, facts: Record<string, unknown>): ApiResponse {
    const caller = requireCaller(request);
    if (!seesFullUserInfo(caller, context.config)) {
        throw unauthorized();
    }
    return { status: 200, content: { ...facts, users: context.directory.size, success: true } };
}
