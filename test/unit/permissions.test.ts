import { Config, defaultConfig, hasPermission, parseRoleList, Permission, PERMISSION_DEFAULTS, PERMISSIONS, toCaller } from '../../src/core/config';
import { configFromValues, SettingId } from '../../src/settings';
import { ADMIN, caller, GUEST, livechatUsers, MISSING_PERMISSION, rows, UNAUTHORIZED, USER, usersByStatus, usersList, invalidQuery } from './fixtures';

/** The default settings with one permission given to other roles. */
function withPermission(permission: Permission, roles: string[], overrides: Partial<Config> = {}): Config {
    const config = { ...defaultConfig(), ...overrides };
    config.permissionRoles = { ...config.permissionRoles, [permission]: new Set(roles) };
    return config;
}

describe("permissions: Rocket.Chat's default role assignment", () => {
    it('matches the table of the spec', () => {
        expect(PERMISSION_DEFAULTS).toEqual({
            'view-d-room': ['admin', 'user', 'bot', 'app', 'guest'],
            'view-outside-room': ['admin', 'owner', 'moderator', 'user'],
            'view-full-other-user-info': ['admin'],
            'view-user-voip-extension': ['admin', 'user'],
            'view-livechat-manager': ['livechat-manager', 'livechat-monitor', 'admin'],
            'transfer-livechat-guest': ['livechat-manager', 'livechat-monitor', 'admin'],
            'edit-omnichannel-contact': ['livechat-manager', 'livechat-agent', 'admin'],
            // the app's own, from the seats spec
            'view-seats': ['admin'],
        });
    });

    it('grants a permission when any of the caller roles holds it', () => {
        const config = defaultConfig();
        for (const permission of PERMISSIONS) {
            for (const role of PERMISSION_DEFAULTS[permission]) {
                expect(hasPermission(caller(['nothing', role]), permission, config)).toBe(true);
            }
            expect(hasPermission(caller(['nothing', 'anonymous']), permission, config)).toBe(false);
            expect(hasPermission(caller([]), permission, config)).toBe(false);
        }
    });

    it("reads the caller's roles from the engine's user, none when it has no roles", () => {
        expect(toCaller({ id: 'u1', username: 'alice', roles: ['user', 'bot'] })).toEqual({ id: 'u1', username: 'alice', roles: ['user', 'bot'] });
        const roleless = toCaller({ id: 'u2', username: 'bob' });
        expect(roleless).toEqual({ id: 'u2', username: 'bob', roles: [] });
        expect(usersList({}, { caller: roleless })).toEqual(MISSING_PERMISSION);
    });

    it('lets every default role with view-d-room list users', () => {
        for (const role of ['admin', 'user', 'bot', 'app', 'guest']) {
            expect(usersList({}, { caller: caller([role]) }).status).toBe(200);
            expect(usersByStatus({}, { caller: caller([role]) }).status).toBe(200);
        }
        for (const role of ['anonymous', 'owner', 'livechat-agent', 'livechat-manager']) {
            expect(usersList({}, { caller: caller([role]) })).toEqual(MISSING_PERMISSION);
        }
    });
});

describe('permissions: resolved from roles through the settings', () => {
    it('view-d-room follows its setting', () => {
        const config = withPermission('view-d-room', ['vip']);
        expect(usersList({}, { caller: USER, config })).toEqual(MISSING_PERMISSION);
        expect(usersByStatus({}, { caller: ADMIN, config })).toEqual(MISSING_PERMISSION);
        expect(usersList({}, { caller: caller(['vip']), config }).status).toBe(200);
    });

    it('view-outside-room follows its setting when the gate is on', () => {
        const config = withPermission('view-outside-room', ['guest'], { applyViewOutsideRoom: true });
        expect(usersList({}, { caller: USER, config })).toEqual(UNAUTHORIZED);
        expect(usersByStatus({}, { caller: GUEST, config }).status).toBe(200);
    });

    it('view-full-other-user-info follows its setting: projection, base filter, queryable fields, email search', () => {
        const config = withPermission('view-full-other-user-info', ['user']);
        const alice = rows(usersList({ query: '{"emails.address":"alice@wonder.land"}' }, { caller: USER, config }));
        expect(alice).toEqual([expect.objectContaining({ _id: 'u1', emails: [{ address: 'alice@wonder.land', verified: true }], roles: ['user'] })]);
        expect(rows(usersList({}, { caller: USER, config })).map((row) => row._id)).toContain('u8');
        expect(rows(usersByStatus({ searchTerm: 'wonder.land' }, { caller: USER, config })).map((row) => row._id)).toEqual(['u1']);
        expect(usersList({ query: '{"emails.address":"alice@wonder.land"}' }, { caller: ADMIN, config })).toEqual(
            invalidQuery('Invalid attribute: emails.address'),
        );
    });

    it('view-user-voip-extension follows its setting', () => {
        const config = withPermission('view-user-voip-extension', ['guest']);
        const extension = (who = USER) => rows(usersByStatus({ searchTerm: 'alice' }, { caller: who, config }))[0].freeSwitchExtension;
        expect(extension(USER)).toBeUndefined();
        expect(extension(GUEST)).toBe('1001');
    });

    it('the livechat permissions follow their settings', () => {
        expect(livechatUsers('manager', {}, { caller: USER, config: withPermission('view-livechat-manager', ['user']) }).status).toBe(200);
        expect(livechatUsers('manager', {}, { caller: ADMIN, config: withPermission('view-livechat-manager', []) })).toEqual(UNAUTHORIZED);
        expect(livechatUsers('agent', {}, { caller: USER, config: withPermission('transfer-livechat-guest', ['user']) }).status).toBe(200);
        expect(livechatUsers('agent', {}, { caller: USER, config: withPermission('edit-omnichannel-contact', ['user']) }).status).toBe(200);
    });
});

describe('configFromValues (settings → core config)', () => {
    const values = (entries: Record<string, unknown>) => new Map(Object.entries(entries));

    it('gives the documented defaults when nothing is set', () => {
        expect(configFromValues(new Map())).toEqual(defaultConfig());
        expect(defaultConfig()).toMatchObject({
            defaultCount: 50,
            maxCount: 100,
            allowInfiniteCount: true,
            applyViewOutsideRoom: false,
            allowQueryAndFields: true,
        });
    });

    it('reads counts as positive integers and the directory age as minutes down to 0.05, falling back to the defaults otherwise', () => {
        const config = configFromValues(values({ [SettingId.defaultCount]: 25, [SettingId.maxCount]: '300', [SettingId.directoryMaxAgeMinutes]: 2 }));
        expect(config).toMatchObject({ defaultCount: 25, maxCount: 300, directoryMaxAgeMs: 120_000 });
        expect(configFromValues(values({ [SettingId.directoryMaxAgeMinutes]: '0.05' })).directoryMaxAgeMs).toBe(3000);
        expect(configFromValues(values({ [SettingId.directoryMaxAgeMinutes]: 1.5 })).directoryMaxAgeMs).toBe(90_000);
        for (const bad of [0, -5, 1.5, 'ten', '', null, NaN, true, [7]]) {
            const fallback = configFromValues(values({ [SettingId.defaultCount]: bad, [SettingId.maxCount]: bad }));
            expect(fallback).toMatchObject({ defaultCount: 50, maxCount: 100 });
        }
        for (const bad of [0, 0.01, -5, 'ten', '', '1e3', null, NaN, true, [7]]) {
            expect(configFromValues(values({ [SettingId.directoryMaxAgeMinutes]: bad })).directoryMaxAgeMs).toBe(300_000);
        }
    });

    it('reads the switches as booleans only', () => {
        const config = configFromValues(
            values({ [SettingId.allowInfiniteCount]: false, [SettingId.applyViewOutsideRoom]: true, [SettingId.allowQueryAndFields]: false }),
        );
        expect(config).toMatchObject({ allowInfiniteCount: false, applyViewOutsideRoom: true, allowQueryAndFields: false });
        const strings = configFromValues(
            values({ [SettingId.allowInfiniteCount]: 'false', [SettingId.applyViewOutsideRoom]: 'true', [SettingId.allowQueryAndFields]: 0 }),
        );
        expect(strings).toMatchObject({ allowInfiniteCount: true, applyViewOutsideRoom: false, allowQueryAndFields: true });
    });

    it('reads each permission from its comma- or space-separated list of roles', () => {
        const config = configFromValues(values({ 'permission_view-d-room': ' vip,  staff user\n', 'permission_view-full-other-user-info': '' }));
        expect(config.permissionRoles['view-d-room']).toEqual(new Set(['vip', 'staff', 'user']));
        expect(config.permissionRoles['view-full-other-user-info']).toEqual(new Set());
        expect(config.permissionRoles['view-outside-room']).toEqual(new Set(PERMISSION_DEFAULTS['view-outside-room']));
        expect(configFromValues(values({ 'permission_view-d-room': 42 })).permissionRoles['view-d-room']).toEqual(new Set(PERMISSION_DEFAULTS['view-d-room']));
    });

    it('changes the answers of the endpoints', () => {
        const config = configFromValues(values({ 'permission_view-d-room': 'admin', [SettingId.defaultCount]: 2 }));
        expect(usersList({}, { caller: USER, config })).toEqual(MISSING_PERMISSION);
        expect(usersList({}, { caller: ADMIN, config }).content).toMatchObject({ count: 2 });
    });

    it('parseRoleList drops empty entries', () => {
        expect(parseRoleList(',, admin ,user,,')).toEqual(new Set(['admin', 'user']));
        expect(parseRoleList(undefined)).toEqual(new Set());
    });
});
