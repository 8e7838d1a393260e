import { defaultConfig, Permission } from '../../src/core/config';
import {
    ADMIN,
    AGENT,
    caller,
    GUEST,
    ids,
    INVALID_TYPE,
    invalidParams,
    livechatUsers,
    MANAGER,
    MONITOR,
    page,
    rec,
    rows,
    STAFF,
    UNAUTHORIZED,
    USER,
} from './fixtures';

const ONLY_AVAILABLE = invalidParams("onlyAvailable=true needs the agents' livechat status, which Rocket.Chat does not expose to apps");

describe('livechat/users/:type: rows', () => {
    it('lists agents with exactly _id, username, status, statusLivechat, name, emails, livechat, departments', () => {
        expect(livechatUsers('agent', {})).toEqual(
            page(
                [
                    { _id: 'u9', username: 'nostatus', status: null, statusLivechat: null, name: null, emails: null, livechat: null, departments: [] },
                    {
                        _id: 'u5',
                        username: 'agent.smith',
                        status: 'offline',
                        statusLivechat: null,
                        name: 'Agent Smith',
                        emails: [{ address: 'smith@matrix.io', verified: true }],
                        livechat: null,
                        departments: [],
                    },
                    {
                        _id: 'u7',
                        username: 'dialog.bot',
                        status: 'offline',
                        statusLivechat: null,
                        name: 'Dialog Bot',
                        emails: null,
                        livechat: null,
                        departments: [],
                    },
                    {
                        _id: 'u2',
                        username: 'Zed',
                        status: 'online',
                        statusLivechat: null,
                        name: 'Zed Zero',
                        emails: [{ address: 'zed@zero.io', verified: false }],
                        livechat: null,
                        departments: [],
                    },
                ],
                4,
            ),
        );
    });

    it('lists managers by the livechat-manager role, in the same shape', () => {
        expect(livechatUsers('manager', {})).toEqual(
            page(
                [
                    {
                        _id: 'u6',
                        username: 'boss',
                        status: 'away',
                        statusLivechat: null,
                        name: 'Big Boss',
                        emails: [{ address: 'boss@corp.com', verified: true }],
                        livechat: null,
                        departments: [],
                    },
                ],
                1,
            ),
        );
    });

    it('gives a null username to a user without one', () => {
        const users = [rec({ _id: 'x', name: 'No Username', roles: ['livechat-manager'] })];
        expect(rows(livechatUsers('manager', {}, { users }))).toEqual([
            { _id: 'x', username: null, status: null, statusLivechat: null, name: 'No Username', emails: null, livechat: null, departments: [] },
        ]);
    });

    it('includes deactivated users', () => {
        expect(ids(livechatUsers('agent', {}))).toContain('u9');
    });
});

describe('livechat/users/:type: permissions by type', () => {
    it.each([
        ['admin', ADMIN],
        ['livechat-manager', MANAGER],
        ['livechat-monitor', MONITOR],
    ])('lets %s list managers (view-livechat-manager)', (_role, who) => {
        expect(ids(livechatUsers('manager', {}, { caller: who }))).toEqual(['u6']);
    });

    it.each([
        ['livechat-agent', AGENT],
        ['user', USER],
        ['guest', GUEST],
        ['bot', caller(['bot'])],
    ])('refuses managers to %s with 403 unauthorized', (_role, who) => {
        expect(livechatUsers('manager', {}, { caller: who })).toEqual(UNAUTHORIZED);
    });

    it.each([
        ['admin', ADMIN],
        ['livechat-manager', MANAGER],
        ['livechat-monitor (transfer-livechat-guest)', MONITOR],
        ['livechat-agent (edit-omnichannel-contact)', AGENT],
    ])('lets %s list agents', (_role, who) => {
        expect(ids(livechatUsers('agent', {}, { caller: who }))).toEqual(['u9', 'u5', 'u7', 'u2']);
    });

    it.each([
        ['user', USER],
        ['guest', GUEST],
        ['no role', caller([])],
    ])('refuses agents to %s with 403 unauthorized', (_role, who) => {
        expect(livechatUsers('agent', {}, { caller: who })).toEqual(UNAUTHORIZED);
    });

    it('needs either agent permission, not both', () => {
        const without = (permission: Permission) => ({ permissionRoles: { ...defaultConfig().permissionRoles, [permission]: new Set<string>() } });
        const transferOnly = without('edit-omnichannel-contact');
        const editOnly = without('transfer-livechat-guest');
        expect(livechatUsers('agent', {}, { caller: MONITOR, config: transferOnly }).status).toBe(200);
        expect(livechatUsers('agent', {}, { caller: AGENT, config: editOnly }).status).toBe(200);
        expect(livechatUsers('agent', {}, { caller: AGENT, config: transferOnly })).toEqual(UNAUTHORIZED);
    });
});

describe('livechat/users/:type: parameters', () => {
    it('refuses unknown parameters', () => {
        expect(livechatUsers('agent', { status: 'online' })).toEqual(invalidParams('must NOT have additional properties'));
        expect(livechatUsers('manager', { searchTerm: 'x', roles: ['a'] })).toEqual(
            invalidParams('must NOT have additional properties', 'must NOT have additional properties'),
        );
    });

    it('accepts query and fields without using them', () => {
        expect(livechatUsers('agent', { query: '{"_id":"u5"}', fields: '{"name":0,"emails":1,"roles":1}' })).toEqual(livechatUsers('agent', {}));
    });

    it('refuses non-boolean onlyAvailable and showIdleAgents, and arrays for text and excludeId', () => {
        expect(livechatUsers('agent', { onlyAvailable: 'yes' })).toEqual(invalidParams('must be boolean'));
        expect(livechatUsers('agent', { showIdleAgents: 'maybe' })).toEqual(invalidParams('must be boolean'));
        expect(livechatUsers('agent', { text: ['a', 'b'] })).toEqual(invalidParams('must be string'));
        expect(livechatUsers('agent', { excludeId: ['u5', 'u2'] })).toEqual(invalidParams('must be string'));
    });

    it('answers 400 to onlyAvailable=true for agents (the livechat status is not available) and accepts false', () => {
        expect(livechatUsers('agent', { onlyAvailable: 'true' })).toEqual(ONLY_AVAILABLE);
        expect(livechatUsers('agent', { onlyAvailable: true })).toEqual(ONLY_AVAILABLE);
        expect(livechatUsers('agent', { onlyAvailable: 'false' })).toEqual(livechatUsers('agent', {}));
    });
});

describe('livechat/users/:type: filters', () => {
    const agents = (query: Record<string, unknown>, who = AGENT) => ids(livechatUsers('agent', query, { caller: who }));

    it('text is a case-insensitive substring of username, name or email address, for every caller', () => {
        expect(agents({ text: 'SMITH' })).toEqual(['u5']);
        expect(agents({ text: 'matrix.IO' })).toEqual(['u5']);
        expect(agents({ text: 'zero' })).toEqual(['u2']);
        expect(agents({ text: 'nostat' })).toEqual(['u9']);
        expect(agents({ text: '@' })).toEqual(['u5', 'u2']);
    });

    it('text is literal and not trimmed', () => {
        expect(agents({ text: '.' })).toEqual(['u5', 'u7', 'u2']);
        expect(agents({ text: '.*' })).toEqual([]);
        expect(agents({ text: ' smith' })).toEqual(['u5']);
        expect(agents({ text: 'smith ' })).toEqual([]);
        expect(agents({ text: ' ' })).toEqual(['u5', 'u7', 'u2']);
        expect(agents({ text: '' })).toEqual(['u9', 'u5', 'u7', 'u2']);
    });

    it('excludeId leaves that agent out; an empty one is ignored', () => {
        expect(agents({ excludeId: 'u5' })).toEqual(['u9', 'u7', 'u2']);
        expect(agents({ excludeId: 'nobody' })).toEqual(['u9', 'u5', 'u7', 'u2']);
        expect(agents({ excludeId: '' })).toEqual(['u9', 'u5', 'u7', 'u2']);
    });

    it('showIdleAgents=false keeps agents whose status exists and is not offline, and bots', () => {
        expect(agents({ showIdleAgents: 'false' })).toEqual(['u7', 'u2']);
        expect(agents({ showIdleAgents: 'true' })).toEqual(['u9', 'u5', 'u7', 'u2']);
        const users = [
            rec({ _id: 'a1', name: 'A1', roles: ['livechat-agent'], status: 'away' }),
            rec({ _id: 'a2', name: 'A2', roles: ['livechat-agent'], status: 'busy' }),
            rec({ _id: 'a3', name: 'A3', roles: ['livechat-agent', 'bot'] }),
            rec({ _id: 'a4', name: 'A4', roles: ['livechat-agent'], status: 'offline' }),
            rec({ _id: 'a5', name: 'A5', roles: ['livechat-agent'], type: 'bot', status: 'offline' }),
        ];
        expect(ids(livechatUsers('agent', { showIdleAgents: 'false' }, { users }))).toEqual(['a1', 'a2', 'a3']);
    });

    it('combines the filters', () => {
        expect(agents({ text: 'o', excludeId: 'u2', showIdleAgents: 'false' })).toEqual(['u7']);
    });

    it('managers ignore excludeId, showIdleAgents and onlyAvailable', () => {
        const users = [
            rec({ _id: 'm1', name: 'Off Manager', roles: ['livechat-manager'], status: 'offline' }),
            rec({ _id: 'm2', name: 'Quiet Manager', roles: ['livechat-manager'] }),
        ];
        const managers = (query: Record<string, unknown>) => ids(livechatUsers('manager', query, { users }));
        expect(managers({ excludeId: 'm1', showIdleAgents: 'false', onlyAvailable: 'true' })).toEqual(['m1', 'm2']);
        expect(managers({ text: 'quiet', excludeId: 'm2' })).toEqual(['m2']);
    });

    it('does not list users of the other role', () => {
        expect(ids(livechatUsers('manager', {}))).not.toContain('u5');
        expect(ids(livechatUsers('agent', {}))).not.toContain('u6');
        expect(ids(livechatUsers('agent', {}, { users: STAFF.filter((user) => user._id === 'u6') }))).toEqual([]);
    });
});

describe('livechat/users/:type: sort', () => {
    it('sorts by name ascending by default, a missing name first', () => {
        expect(ids(livechatUsers('agent', {}))).toEqual(['u9', 'u5', 'u7', 'u2']);
    });

    it('honours a given sort on the row fields', () => {
        expect(ids(livechatUsers('agent', { sort: '{"name":-1}' }))).toEqual(['u2', 'u7', 'u5', 'u9']);
        expect(ids(livechatUsers('agent', { sort: '{"username":1}' }))).toEqual(['u2', 'u5', 'u7', 'u9']);
        expect(ids(livechatUsers('agent', { sort: '{"status":-1,"name":1}' }))).toEqual(['u2', 'u5', 'u7', 'u9']);
        expect(ids(livechatUsers('agent', { sort: '{"emails.address":1}' }))).toEqual(['u7', 'u9', 'u5', 'u2']);
    });

    it('refuses an invalid type before anything else but the login', () => {
        expect(livechatUsers('agents', { sort: 'bad' })).toEqual(INVALID_TYPE);
    });
});
