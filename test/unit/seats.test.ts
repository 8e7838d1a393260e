import {
    cutoffFor,
    DAY_MS,
    exemptionOf,
    isInactive,
    parseInactiveArgument,
    Protection,
    SeatsInputError,
    SeatUser,
    selectInactive,
} from '../../src/core/seats/inactive';
import { classifyRefusal, recheck, RunEntry, tally, UNDO_COLUMNS, undoRow } from '../../src/core/seats/outcome';
import { dailyCron, dayOf, parseTimeOfDay } from '../../src/core/seats/schedule';
import { toCsv } from '../../src/command/csv';
import { RUN_STALE_MS, RunRecord, SeatsRecords } from '../../src/seats/records';
import { seatsConfigFromValues } from '../../src/seats/settings';
import { MemoryDatabase } from './memory-store';

const memoryStore = () => new MemoryDatabase().instance();

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const daysAgo = (days: number, extraMs = 0) => new Date(NOW - days * DAY_MS + extraMs).toISOString();

function user(id: string, fields: Partial<SeatUser> = {}): SeatUser {
    return { id, username: id, type: 'user', roles: ['user'], active: true, createdAt: daysAgo(1000), ...fields };
}

const noProtection: Protection = { exemptRoles: new Set() };

describe('parseInactiveArgument', () => {
    it('reads inactive:<N>d for 1 to 3650 days, in any case', () => {
        expect(parseInactiveArgument(['inactive:90d'])).toBe(90);
        expect(parseInactiveArgument(['INACTIVE:1D'])).toBe(1);
        expect(parseInactiveArgument(['', 'inactive:3650d', ''])).toBe(3650);
        expect(parseInactiveArgument(['inactive:0090d'])).toBe(90);
    });

    it.each([
        [[], 'deactivate_error_missing', {}],
        [['inactive:0d'], 'deactivate_error_range', { value: 'inactive:0d', min: '1', max: '3650' }],
        [['inactive:3651d'], 'deactivate_error_range', { value: 'inactive:3651d', min: '1', max: '3650' }],
        [['inactive:99999999d'], 'deactivate_error_range', { value: 'inactive:99999999d', min: '1', max: '3650' }],
        [['inactive:99999999999999999999999999d'], 'deactivate_error_range', { value: 'inactive:99999999999999999999999999d', min: '1', max: '3650' }],
        [['inactive:abc'], 'deactivate_error_duration', { value: 'inactive:abc' }],
        [['inactive:90'], 'deactivate_error_duration', { value: 'inactive:90' }],
        [['inactive:-5d'], 'deactivate_error_duration', { value: 'inactive:-5d' }],
        [['inactive:1.5d'], 'deactivate_error_duration', { value: 'inactive:1.5d' }],
        [['90d'], 'deactivate_error_duration', { value: '90d' }],
        [['inactive:90d', 'now'], 'deactivate_error_extra', { value: 'now' }],
    ])('refuses %j with a clear error', (words, key, values) => {
        let error: unknown;
        try {
            parseInactiveArgument(words);
        } catch (caught) {
            error = caught;
        }
        expect(error).toBeInstanceOf(SeatsInputError);
        expect(error).toMatchObject({ key, values });
    });
});

describe('the inactive rule', () => {
    const cutoff = cutoffFor(90, NOW);

    it('is a last login on or before now - N days', () => {
        expect(cutoff).toBe(NOW - 90 * DAY_MS);
        expect(isInactive(user('a', { lastLogin: daysAgo(90) }), cutoff)).toBe(true);
        expect(isInactive(user('a', { lastLogin: daysAgo(90, -1) }), cutoff)).toBe(true);
        expect(isInactive(user('a', { lastLogin: daysAgo(90, 1) }), cutoff)).toBe(false);
        expect(isInactive(user('a', { lastLogin: daysAgo(2) }), cutoff)).toBe(false);
    });

    it('without a login, needs the account to be created on or before the cutoff', () => {
        expect(isInactive(user('a', { createdAt: daysAgo(90) }), cutoff)).toBe(true);
        expect(isInactive(user('a', { createdAt: daysAgo(90, 1) }), cutoff)).toBe(false);
        expect(isInactive(user('a', { createdAt: daysAgo(1) }), cutoff)).toBe(false); // created yesterday: not inactive
        expect(isInactive(user('a', { createdAt: undefined }), cutoff)).toBe(false); // dates unknown: left alone
        // An old account with a recent login is active, whatever its age.
        expect(isInactive(user('a', { createdAt: daysAgo(900), lastLogin: daysAgo(1) }), cutoff)).toBe(false);
    });
});

describe('exemptions', () => {
    const protection: Protection = { callerId: 'me', appUserId: 'app.bot', exemptRoles: new Set(['auditor', 'livechat-agent']) };

    it('never let the caller, the app user, admins, bots, apps, federated users or exempt roles through', () => {
        expect(exemptionOf(user('me'), protection)).toBe('caller');
        expect(exemptionOf(user('app.bot', { type: 'app' }), protection)).toBe('appUser');
        expect(exemptionOf(user('boss', { roles: ['user', 'admin'] }), protection)).toBe('admin');
        expect(exemptionOf(user('b', { type: 'bot', roles: ['bot'] }), protection)).toBe('botOrApp');
        expect(exemptionOf(user('x', { type: 'app' }), protection)).toBe('botOrApp');
        expect(exemptionOf(user('t', { type: undefined }), protection)).toBe('botOrApp'); // not known to be a person
        expect(exemptionOf(user('@f:matrix.org', { federated: true }), protection)).toBe('federated');
        expect(exemptionOf(user('r', { isRemote: true }), protection)).toBe('federated');
        expect(exemptionOf(user('aud', { roles: ['user', 'auditor'] }), protection)).toBe('exemptRole');
        expect(exemptionOf(user('plain'), protection)).toBeUndefined();
        // Guests hold no seat but are deactivated like anyone else.
        expect(exemptionOf(user('g', { roles: ['guest'] }), protection)).toBeUndefined();
    });
});

describe('selectInactive', () => {
    const protection: Protection = { callerId: 'me', appUserId: 'app.bot', exemptRoles: new Set(['auditor']) };
    const users: SeatUser[] = [
        user('old', { lastLogin: daysAgo(400), name: 'Old Login' }),
        user('older', { lastLogin: daysAgo(500) }),
        user('never', { createdAt: daysAgo(200) }),
        user('fresh', { createdAt: daysAgo(3) }),
        user('recent', { lastLogin: daysAgo(5) }),
        user('gone', { active: false, lastLogin: daysAgo(900) }),
        user('me', { lastLogin: daysAgo(300), roles: ['user', 'admin'] }),
        user('app.bot', { type: 'app', roles: ['app'] }),
        user('boss', { roles: ['admin'], lastLogin: daysAgo(300) }),
        user('boss2', { roles: ['admin'] }),
        user('rocket.cat', { type: 'bot', roles: ['bot'] }),
        user('@f:matrix.org', { federated: true, lastLogin: daysAgo(120) }),
        user('aud', { roles: ['auditor'], lastLogin: daysAgo(100) }),
        user('recent-aud', { roles: ['auditor'], lastLogin: daysAgo(2) }),
    ];

    it('lists who may be deactivated, longest inactive first, and counts what each exemption kept out', () => {
        const selection = selectInactive(users, 90, NOW, protection);
        expect(selection.cutoff).toBe(daysAgo(90));
        expect(selection.eligible.map((u) => u.id)).toEqual(['never', 'older', 'old']);
        expect(selection.exempted).toEqual({ caller: 1, appUser: 1, admin: 2, botOrApp: 1, federated: 1, exemptRole: 1 });
        expect(selection.matched).toBe(3 + 7);
    });

    it('matches nobody when everyone is recent', () => {
        const selection = selectInactive(users, 3650, NOW, noProtection);
        expect(selection.matched).toBe(0);
        expect(selection.eligible).toEqual([]);
    });
});

describe('a run, user by user', () => {
    const cutoff = cutoffFor(90, NOW);
    const protection: Protection = { callerId: 'me', appUserId: 'app.bot', exemptRoles: new Set(['auditor']) };

    it('goes ahead only if the rule still holds on the server copy', () => {
        expect(recheck(user('a', { lastLogin: daysAgo(100) }), cutoff, protection)).toBeUndefined();
        expect(recheck(user('a', { createdAt: daysAgo(100) }), cutoff, protection)).toBeUndefined();
        expect(recheck(user('a', { lastLogin: daysAgo(0) }), cutoff, protection)).toEqual({ kind: 'skipped', reason: 'loggedInSince', detail: daysAgo(0) });
        expect(recheck(undefined, cutoff, protection)).toEqual({ kind: 'skipped', reason: 'gone' });
        expect(recheck(user('a', { active: false }), cutoff, protection)).toEqual({ kind: 'skipped', reason: 'alreadyDeactivated' });
        expect(recheck(user('a', { roles: ['admin'], lastLogin: daysAgo(100) }), cutoff, protection)).toEqual({
            kind: 'skipped',
            reason: 'exempt',
            detail: 'admin',
        });
        expect(recheck(user('me', { lastLogin: daysAgo(100) }), cutoff, protection)).toMatchObject({ reason: 'exempt', detail: 'caller' });
    });

    it("reads Rocket.Chat's refusals from the error text, and keeps the engine's words", () => {
        expect(classifyRefusal('Leaving the app without an active admin is not allowed [error-action-not-allowed]')).toEqual({
            kind: 'skipped',
            reason: 'lastAdmin',
            detail: 'Leaving the app without an active admin is not allowed [error-action-not-allowed]',
        });
        expect(classifyRefusal('[user-last-owner]')).toMatchObject({ reason: 'lastOwner', detail: '[user-last-owner]' });
        expect(classifyRefusal('Cannot change federated users status [error-user-is-federated]')).toMatchObject({ reason: 'federated' });
        expect(classifyRefusal('connection reset')).toEqual({ kind: 'skipped', reason: 'error', detail: 'connection reset' });
        expect(classifyRefusal('')).toEqual({ kind: 'skipped', reason: 'error', detail: 'unknown error' });
    });

    it('tallies done and each reason', () => {
        const entries: RunEntry[] = [
            { id: 'a', outcome: { kind: 'done' } },
            { id: 'b', outcome: { kind: 'done' } },
            { id: 'c', outcome: { kind: 'skipped', reason: 'lastOwner', detail: '[user-last-owner]' } },
            { id: 'd', outcome: { kind: 'skipped', reason: 'loggedInSince' } },
        ];
        const result = tally(entries);
        expect(result.done).toBe(2);
        expect(result.skippedTotal).toBe(2);
        expect(result.skipped).toMatchObject({ lastOwner: 1, loggedInSince: 1, error: 0, lastAdmin: 0 });
    });

    it('writes the undo list as _id,username,name,lastLogin,createdAt,roles', () => {
        const csv = toCsv(
            [
                undoRow(user('u1', { name: '=Evil, "Name"', lastLogin: daysAgo(100), roles: ['user', 'guest'] })),
                undoRow(user('u2', { createdAt: daysAgo(200) })),
            ],
            UNDO_COLUMNS,
        );
        expect(csv.split('\r\n')).toEqual([
            '_id,username,name,lastLogin,createdAt,roles',
            `u1,u1,"'=Evil, ""Name""",${daysAgo(100)},${daysAgo(1000)},user; guest`,
            `u2,u2,,,${daysAgo(200)},user`,
            '',
        ]);
    });
});

describe('the daily clean-up time', () => {
    it('reads HH:MM in UTC and makes a daily cron', () => {
        expect(parseTimeOfDay('03:00')).toEqual({ hour: 3, minute: 0 });
        expect(parseTimeOfDay(' 23:59 ')).toEqual({ hour: 23, minute: 59 });
        expect(parseTimeOfDay('7:05')).toEqual({ hour: 7, minute: 5 });
        for (const bad of ['24:00', '12:60', '3', 'noon', '', 3, undefined]) expect(parseTimeOfDay(bad)).toBeUndefined();
        expect(dailyCron({ hour: 3, minute: 0 })).toBe('0 3 * * *');
        expect(dayOf(Date.parse('2026-12-07T23:59:59.999Z'))).toBe('2026-12-07');
        expect(dayOf(Date.parse('2026-12-08T00:00:00.000Z'))).toBe('2026-12-08');
    });
});

describe('settings', () => {
    it('default to off, no exemptions, no audit room, a dry run at 03:00 for 90 days', () => {
        expect(seatsConfigFromValues(new Map())).toEqual({
            enabled: false,
            exemptRoles: new Set(),
            auditRoom: '',
            cleanup: { enabled: false, days: 90, dryRun: true, time: { hour: 3, minute: 0 } },
        });
    });

    it('read the values, and a malformed switch as its safe default', () => {
        const config = seatsConfigFromValues(
            new Map<string, unknown>([
                ['deactivation_enabled', true],
                ['deactivation_exempt_roles', 'auditor, livechat-agent,,'],
                ['deactivation_audit_room', ' #audit '],
                ['cleanup_enabled', 'yes'],
                ['cleanup_inactive_days', '0'],
                ['cleanup_dry_run', 'no'],
                ['cleanup_time', '25:00'],
            ]),
        );
        expect(config.enabled).toBe(true);
        expect([...config.exemptRoles]).toEqual(['auditor', 'livechat-agent']);
        expect(config.auditRoom).toBe('audit');
        expect(config.cleanup).toEqual({ enabled: false, days: undefined, dryRun: true, time: undefined });
    });
});

function run(id: string, fields: Partial<RunRecord> = {}): RunRecord {
    return {
        kind: 'seats-run',
        id,
        trigger: 'manual',
        days: 90,
        cutoff: 0,
        users: [],
        entries: [],
        state: 'running',
        undoSent: false,
        startedAt: NOW,
        heartbeatAt: NOW,
        ...fields,
    };
}

describe('one run at a time, one clean-up a day', () => {
    const instantly = async () => undefined;

    it('lets exactly one of two simultaneous claims win, and refuses later ones while it runs', async () => {
        const records = new SeatsRecords(memoryStore(), instantly);
        // Both read "nothing running" before either writes: the last write wins for both readers.
        const results = await Promise.all([records.claimRun(run('a'), NOW), records.claimRun(run('b'), NOW)]);
        expect(results.filter((result) => result.claimed)).toHaveLength(1);
        const winner = (await records.run())?.id;
        const third = await records.claimRun(run('c'), NOW + 1000);
        expect(third).toEqual({ claimed: false, current: expect.objectContaining({ id: winner }) });
    });

    it('allows a new run once the last one ended, or died with its instance', async () => {
        const records = new SeatsRecords(memoryStore(), instantly);
        await records.saveRun(run('ended', { state: 'finished' }));
        expect(await records.claimRun(run('next'), NOW)).toEqual({ claimed: true });
        expect((await records.claimRun(run('blocked'), NOW + RUN_STALE_MS - 1)).claimed).toBe(false);
        expect(await records.claimRun(run('after-death'), NOW + RUN_STALE_MS)).toEqual({ claimed: true });
    });

    it('runs the clean-up once per UTC day across instances', async () => {
        const store = memoryStore();
        const records = new SeatsRecords(store, instantly);
        const firstDay = await Promise.all([1, 2, 3].map((instance) => records.claimCleanupDay('2026-12-07', `i${instance}`, NOW)));
        expect(firstDay.filter(Boolean)).toHaveLength(1);
        expect(await records.claimCleanupDay('2026-12-07', 'i1', NOW + 3600_000)).toBe(false);
        expect(await records.claimCleanupDay('2026-12-08', 'i2', NOW + DAY_MS)).toBe(true);
    });
});
