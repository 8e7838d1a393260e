import { Caller, Config, hasPermission } from './config';
import { Directory, Filter, Flag } from './directory';
import { ApiResponse, invalidLivechatType, invalidParams, missingPermission, unauthenticated, unauthorized } from './errors';
import { compileSchema, Page, parseFieldInclusions, parsePage, parseSort, QueryParams, Schema, SortSpec, validateParams, withAppendedKeys } from './params';
import { Projection } from './projection';
import { anyFlag, anyRole, containsText, hasFlag, inactiveReasonIn, notUser, ofType, presentOrBot } from './filters';
import { queryFilter } from './query';
import { parseQuery } from './queryParse';
import { RECORD_FIELDS, UserRecord } from './record';

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
    records: UserRecord[];
    total: number;
    page: Page;
    /** Shapes one record into the row this caller may see. */
    shape: (record: UserRecord) => Record<string, unknown>;
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

const INACTIVE_REASONS = ['deactivated', 'pending_approval', 'idle_too_long'];

const BY_STATUS_SCHEMA: Schema = {
    type: 'object',
    properties: {
        status: { type: 'string', enum: ['active', 'deactivated'] },
        hasLoggedIn: { type: 'boolean' },
        type: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
        searchTerm: { type: 'string' },
        // Rocket.Chat 8's admin Users page sends it on its Pending and Deactivated tabs.
        inactiveReason: { type: 'array', items: { type: 'string', enum: INACTIVE_REASONS } },
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

/** Compiles the parameter schemas ahead of the first request that needs them. */
export function prepareValidators(): void {
    compileSchema(BY_STATUS_SCHEMA);
    compileSchema(LIVECHAT_SCHEMA);
}

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

function select(context: ListContext, projection: Projection, sort: SortSpec, filters: Filter[], page: Page): Listing {
    const { records, total } = context.directory.select(projection.sortKeys(sort), filters, page.offset, page.count);
    return { records, total, page, shape: (record) => projection.shape(record) };
}

export function toResponse(listing: Listing): ApiResponse {
    const users = listing.records.map(listing.shape);
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
    const filters: Filter[] = [];
    let replacesBaseFilter = false;
    if (config.allowQueryAndFields) {
        for (const field of parseFieldInclusions(request.query.fields)) {
            if (selectable(field.split('.')[0])) {
                fields.push(field);
            }
        }
        if (request.query.query !== undefined) {
            const query = parseQuery(request.query.query, (root) => selectable(root) && (RECORD_FIELDS as readonly string[]).includes(root));
            filters.push(queryFilter(query));
            replacesBaseFilter = '$or' in query;
        }
    }
    if (!replacesBaseFilter) {
        filters.unshift(anyFlag(privileged ? Flag.NAMED | Flag.HAS_EMAIL : Flag.NAMED));
    }
    return select(context, new Projection(fields), sort, filters, page);
}

/**
 * users.listByStatus's request, typed: what the endpoint parses from its
 * query string, and what the chat builds directly.
 */
export interface UsersByStatusQuery {
    caller: Caller;
    page: Page;
    /** The order asked for, before Rocket.Chat's appended keys; by username when absent. */
    sort?: SortSpec;
    status?: 'active' | 'deactivated';
    hasLoggedIn?: boolean;
    type?: string;
    /** Any of these roles. */
    roles?: readonly string[];
    searchTerm?: string;
    /** Rocket.Chat 8's `inactiveReason`, read from the users' data (see `inactiveReasonIn`). */
    inactiveReasons?: readonly string[];
    /** Filters a caller inside the app (the chat) adds to those above. */
    narrow?: readonly Filter[];
}

/** GET users.listByStatus: the permission is checked before the parameters, as Rocket.Chat does. */
export function selectUsersByStatus(request: ListRequest, context: ListContext): Listing {
    const { config } = context;
    const caller = requireCaller(request);
    authorizeUserListing(caller, config);

    const params = validateParams(request.query, BY_STATUS_SCHEMA);
    const roles = params.roles as string[] | undefined;
    return listUsersByStatus(
        {
            caller,
            page: parsePage(params, config),
            sort: parseSort(params.sort, BY_USERNAME),
            status: params.status === 'active' || params.status === 'deactivated' ? params.status : undefined,
            hasLoggedIn: params.hasLoggedIn === undefined ? undefined : params.hasLoggedIn === true,
            type: typeof params.type === 'string' && params.type !== '' ? params.type : undefined,
            roles: roles && !roles.includes('all') ? roles : undefined,
            searchTerm: params.searchTerm as string | undefined,
            inactiveReasons: params.inactiveReason as string[] | undefined,
        },
        context,
    );
}

export function listUsersByStatus(request: UsersByStatusQuery, context: ListContext): Listing {
    const { config } = context;
    const { caller } = request;
    authorizeUserListing(caller, config);

    const sort = withAppendedKeys(request.sort?.length ? request.sort : BY_USERNAME, false);
    const filters: Filter[] = [];
    if (request.status !== undefined) {
        filters.push(hasFlag(request.status === 'active' ? Flag.ACTIVE : Flag.DEACTIVATED, true));
    }
    if (request.hasLoggedIn !== undefined) {
        filters.push(hasFlag(Flag.LOGGED_IN, request.hasLoggedIn));
    }
    if (request.type !== undefined && request.type !== '') {
        filters.push(ofType(request.type));
    }
    if (request.roles && request.roles.length > 0) {
        filters.push(anyRole(request.roles));
    }
    const { searchTerm } = request;
    if (searchTerm !== undefined && searchTerm.trim() !== '') {
        filters.push(containsText(searchTerm, seesFullUserInfo(caller, config)));
    }
    if (request.inactiveReasons !== undefined) {
        filters.push(inactiveReasonIn(request.inactiveReasons));
    }
    filters.push(...(request.narrow ?? []));
    const fields = seesVoipExtension(caller, config) ? [...BY_STATUS_FIELDS, 'freeSwitchExtension'] : BY_STATUS_FIELDS;
    return select(context, new Projection(fields), sort, filters, request.page);
}

export type LivechatUserType = 'agent' | 'manager';

function isLivechatUserType(type: unknown): type is LivechatUserType {
    return type === 'agent' || type === 'manager';
}

/** livechat/users/:type's request, typed (as `UsersByStatusQuery`). */
export interface LivechatUsersQuery {
    caller: Caller;
    type: LivechatUserType;
    page: Page;
    /** By name when absent. */
    sort?: SortSpec;
    text?: string;
    onlyAvailable?: boolean;
    excludeId?: string;
    showIdleAgents?: boolean;
    /** Filters a caller inside the app (the chat) adds to those above. */
    narrow?: readonly Filter[];
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
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const flag = (value: unknown) => (typeof value === 'boolean' ? value : undefined);
    return listLivechatUsers(
        {
            caller,
            type,
            page: parsePage(params, config),
            sort: parseSort(params.sort, BY_NAME),
            text: text(params.text),
            onlyAvailable: flag(params.onlyAvailable),
            excludeId: text(params.excludeId),
            showIdleAgents: flag(params.showIdleAgents),
        },
        context,
    );
}

export function listLivechatUsers(request: LivechatUsersQuery, context: ListContext): Listing {
    const { config } = context;
    const { caller, type } = request;
    if (type === 'agent' && request.onlyAvailable === true) {
        throw invalidParams("onlyAvailable=true needs the agents' livechat status, which Rocket.Chat does not expose to apps");
    }
    const allowed =
        type === 'manager'
            ? hasPermission(caller, 'view-livechat-manager', config)
            : hasPermission(caller, 'transfer-livechat-guest', config) || hasPermission(caller, 'edit-omnichannel-contact', config);
    if (!allowed) {
        throw unauthorized();
    }

    const filters: Filter[] = [anyRole([type === 'agent' ? 'livechat-agent' : 'livechat-manager'])];
    if (type === 'agent' && request.showIdleAgents === false) {
        filters.push(presentOrBot());
    }
    if (request.text !== undefined && request.text !== '') {
        filters.push(containsText(request.text, true));
    }
    if (type === 'agent' && request.excludeId !== undefined && request.excludeId !== '') {
        filters.push(notUser(request.excludeId));
    }
    filters.push(...(request.narrow ?? []));
    const listing = select(context, new Projection(LIVECHAT_SORTABLE_FIELDS), request.sort?.length ? request.sort : BY_NAME, filters, request.page);
    return { ...listing, shape: livechatRow };
}

/** Rocket.Chat's agent/manager row; the engine exposes neither livechat status nor departments. */
function livechatRow(record: UserRecord): Record<string, unknown> {
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
