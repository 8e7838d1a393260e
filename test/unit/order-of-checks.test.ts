import { directoryInfo } from '../../src/core/handlers';
import { Directory } from '../../src/core/directory';
import { respond } from '../../src/core/errors';
import {
    ADMIN,
    AGENT,
    config,
    GUEST,
    INVALID_TYPE,
    invalidParams,
    invalidSort,
    livechatUsers,
    MANAGER,
    MISSING_PERMISSION,
    NO_ROLES,
    STAFF,
    UNAUTHENTICATED,
    UNAUTHORIZED,
    USER,
    usersByStatus,
    usersList,
    COUNT_MESSAGE,
} from './fixtures';

const BAD = { sort: '{"username":"asc"}', count: '-1', status: 'all' };

describe('users.list: 401, then 403, then 400', () => {
    it('answers 401 with the documented body when no user is logged in, whatever the parameters', () => {
        expect(usersList({}, { caller: null })).toEqual(UNAUTHENTICATED);
        expect(usersList(BAD, { caller: null })).toEqual(UNAUTHENTICATED);
    });

    it('answers 403 error-unauthorized without view-d-room, before looking at parameters', () => {
        expect(usersList({}, { caller: NO_ROLES })).toEqual(MISSING_PERMISSION);
        expect(usersList(BAD, { caller: NO_ROLES })).toEqual(MISSING_PERMISSION);
    });

    it('answers 403 unauthorized when the view-outside-room gate applies and the caller lacks it, before parameters', () => {
        const options = { caller: GUEST, config: { applyViewOutsideRoom: true } };
        expect(usersList({}, options)).toEqual(UNAUTHORIZED);
        expect(usersList(BAD, options)).toEqual(UNAUTHORIZED);
    });

    it('checks view-d-room before the view-outside-room gate', () => {
        expect(usersList({}, { caller: NO_ROLES, config: { applyViewOutsideRoom: true } })).toEqual(MISSING_PERMISSION);
    });

    it('answers 400 only to an authorized caller', () => {
        expect(usersList({ sort: BAD.sort }, { caller: USER })).toEqual(invalidSort(BAD.sort));
        expect(usersList({ count: BAD.count }, { caller: GUEST })).toEqual(invalidParams(COUNT_MESSAGE));
    });
});

describe('users.listByStatus: 401, then 403, then 400', () => {
    it('answers 401 first', () => {
        expect(usersByStatus(BAD, { caller: null })).toEqual(UNAUTHENTICATED);
    });

    it('answers 403 error-unauthorized without view-d-room, even to invalid parameters', () => {
        expect(usersByStatus({}, { caller: NO_ROLES })).toEqual(MISSING_PERMISSION);
        expect(usersByStatus({ ...BAD, fields: '{}' }, { caller: NO_ROLES })).toEqual(MISSING_PERMISSION);
    });

    it('applies the same view-outside-room gate as users.list', () => {
        expect(usersByStatus(BAD, { caller: GUEST, config: { applyViewOutsideRoom: true } })).toEqual(UNAUTHORIZED);
        expect(usersByStatus({}, { caller: GUEST, config: { applyViewOutsideRoom: false } }).status).toBe(200);
        expect(usersByStatus({}, { caller: USER, config: { applyViewOutsideRoom: true } }).status).toBe(200);
    });

    it('answers 400 to an authorized caller', () => {
        expect(usersByStatus({ status: 'all' }, { caller: USER })).toEqual(invalidParams('must be equal to one of the allowed values'));
    });
});

describe('livechat/users/:type: 401, then the type, then parameters, then permission', () => {
    it('answers 401 first, even to an invalid type', () => {
        expect(livechatUsers('admin', {}, { caller: null })).toEqual(UNAUTHENTICATED);
        expect(livechatUsers('agent', {}, { caller: null })).toEqual(UNAUTHENTICATED);
    });

    it('answers "Invalid type" to any type but agent and manager, before parameters and permission', () => {
        for (const type of ['admin', 'Agent', 'managers', '', undefined]) {
            expect(livechatUsers(type, {}, { caller: ADMIN })).toEqual(INVALID_TYPE);
            expect(livechatUsers(type, { sort: 'x', bogus: '1' }, { caller: NO_ROLES })).toEqual(INVALID_TYPE);
        }
    });

    it('answers parameter and sort errors before the permission check', () => {
        expect(livechatUsers('manager', { sort: '[1]' }, { caller: NO_ROLES })).toEqual(invalidSort('[1]'));
        expect(livechatUsers('agent', { count: 'ten' }, { caller: USER })).toEqual(invalidParams(COUNT_MESSAGE));
        expect(livechatUsers('agent', { status: 'x' }, { caller: USER })).toEqual(invalidParams('must NOT have additional properties'));
        expect(livechatUsers('agent', { onlyAvailable: 'true' }, { caller: USER })).toEqual(
            invalidParams("onlyAvailable=true needs the agents' livechat status, which Rocket.Chat does not expose to apps"),
        );
    });

    it('answers 403 unauthorized (not error-unauthorized) when the type permission is missing', () => {
        expect(livechatUsers('manager', {}, { caller: AGENT })).toEqual(UNAUTHORIZED);
        expect(livechatUsers('agent', {}, { caller: USER })).toEqual(UNAUTHORIZED);
        expect(livechatUsers('manager', {}, { caller: MANAGER }).status).toBe(200);
    });
});

describe('directory.info (the app endpoint)', () => {
    const context = { directory: new Directory(STAFF), config: config() };
    const info = (caller = ADMIN) => respond(() => directoryInfo({ caller, query: {} }, context, { ready: true }));

    it('answers 401 without a user and 403 unauthorized without view-full-other-user-info', () => {
        expect(respond(() => directoryInfo({ query: {} }, context, {}))).toEqual(UNAUTHENTICATED);
        expect(info(USER)).toEqual(UNAUTHORIZED);
    });

    it('reports the facts and the number of users to admins', () => {
        expect(info()).toEqual({ status: 200, content: { ready: true, users: STAFF.length, success: true } });
    });
});

describe('respond: nothing but a JSON body gets out', () => {
    it('turns an unexpected failure into a JSON 500 and reports it', () => {
        const seen: unknown[] = [];
        const failure = new TypeError('boom');
        const response = respond(
            () => {
                throw failure;
            },
            (error) => seen.push(error),
        );
        expect(response).toEqual({ status: 500, content: { success: false, error: 'Internal error while listing users [error-internal]' } });
        expect(seen).toEqual([failure]);
    });
});
