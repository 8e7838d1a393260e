import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Caller } from '../../src/core/config';
import { Directory } from '../../src/core/directory';
import { respond } from '../../src/core/errors';
import { UserRecord } from '../../src/core/record';
import { directorySummary, summarize } from '../../src/core/seats/summary';
import { DirectoryService } from '../../src/DirectoryService';
import { configFromValues } from '../../src/settings';
import { prng } from '../../host';
import { ADMIN, caller, MISSING_PERMISSION, rec, UNAUTHENTICATED, USER } from './fixtures';
import { MemoryDatabase } from './memory-store';

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const DAY = 24 * 3600 * 1000;
const ago = (ms: number) => new Date(NOW - ms).toISOString();

let next = 0;
/** An active human user who logged in an hour ago, unless told otherwise. */
const user = (fields: Partial<UserRecord> = {}): UserRecord =>
    rec({ _id: `u${next++}`, username: `user${next}`, type: 'user', roles: ['user'], active: true, lastLogin: ago(3600_000), ...fields });

const summaryOf = (users: UserRecord[], asOf?: number) => summarize(new Directory(users), NOW, asOf);

describe('seats: Rocket.Chat’s license count (Users.getActiveLocalUserCount)', () => {
    test('an active human user takes a seat; deactivated, bots, apps and federated users do not', () => {
        const summary = summaryOf([
            user(),
            user({ active: false }),
            user({ type: 'bot', roles: ['bot'] }),
            user({ type: 'app', roles: ['app'] }),
            user({ federated: true }),
            user({ federated: false }),
        ]);
        expect(summary.seats).toBe(2);
        expect(summary.users).toEqual({ total: 6, active: 5, deactivated: 1, bots: 1, apps: 1, guests: 0, neverLoggedIn: 0 });
    });

    test('a user whose roles are exactly [guest] takes no seat; a guest with another role does', () => {
        const summary = summaryOf([
            user({ roles: ['guest'] }),
            user({ roles: ['guest', 'livechat-agent'] }),
            user({ roles: ['user', 'guest'] }),
            user({ roles: ['guest'], active: false }),
            user({ roles: [] }),
            user({ roles: undefined }),
        ]);
        expect(summary.seats).toBe(4);
        expect(summary.users.guests).toBe(1); // active users whose roles are exactly ['guest']
        expect(summary.users.deactivated).toBe(1);
    });

    test('a type other than bot or app (or none) takes a seat; a user without `active` does not', () => {
        const summary = summaryOf([user({ type: undefined }), user({ type: 'unknown' }), user({ active: undefined })]);
        expect(summary.seats).toBe(2);
        expect(summary.users).toMatchObject({ total: 3, active: 2, deactivated: 1 });
    });

    test('bots and apps are counted by type, active or not; guests only while active', () => {
        const summary = summaryOf([
            user({ type: 'bot', roles: ['bot'], active: false }),
            user({ type: 'bot', roles: ['guest'] }),
            user({ type: 'app', roles: ['app'], active: false }),
        ]);
        expect(summary.users).toEqual({ total: 3, active: 1, deactivated: 2, bots: 2, apps: 1, guests: 1, neverLoggedIn: 0 });
        expect(summary.seats).toBe(0);
    });
});

describe('last login buckets', () => {
    test('a login exactly on a boundary counts in the more recent bucket; the buckets add up to the seats', () => {
        const logins = [
            0,
            7 * DAY,
            7 * DAY + 1,
            30 * DAY,
            30 * DAY + 1,
            90 * DAY,
            90 * DAY + 1,
            365 * DAY,
            365 * DAY + 1,
            3000 * DAY,
            -DAY, // a clock ahead of ours: as recent as it gets
        ];
        const summary = summaryOf([...logins.map((age) => user({ lastLogin: ago(age) })), user({ lastLogin: undefined })]);
        expect(summary.lastLogin).toEqual({ '7d': 3, '30d': 2, '90d': 2, '1y': 2, older: 2, never: 1 });
        expect(summary.seats).toBe(12);
    });

    test('only seats are bucketed: never-logged-in guests, bots and deactivated users are not counted', () => {
        const summary = summaryOf([
            user({ lastLogin: undefined }),
            user({ lastLogin: undefined, roles: ['guest'] }),
            user({ lastLogin: undefined, type: 'bot' }),
            user({ lastLogin: undefined, active: false }),
            user({ lastLogin: undefined, federated: true }),
        ]);
        expect(summary.lastLogin).toEqual({ '7d': 0, '30d': 0, '90d': 0, '1y': 0, older: 0, never: 1 });
        expect(summary.users.neverLoggedIn).toBe(1);
    });

    test('the buckets move with the given now', () => {
        const users = [user({ lastLogin: '2026-12-01T10:00:00.000Z' })];
        expect(summarize(new Directory(users), Date.parse('2026-12-08T10:00:00.000Z'), undefined).lastLogin['7d']).toBe(1);
        expect(summarize(new Directory(users), Date.parse('2026-12-08T10:00:00.001Z'), undefined).lastLogin['30d']).toBe(1);
    });
});

describe('roles', () => {
    test('roles of active users of every type, most users first, ties by name', () => {
        const summary = summaryOf([
            user({ roles: ['user', 'livechat-agent'] }),
            user({ roles: ['user', 'admin'] }),
            user({ roles: ['user'] }),
            user({ roles: ['bot', 'livechat-agent'], type: 'bot' }),
            user({ roles: ['guest'] }),
            user({ roles: ['owner'], active: false }),
            user({ roles: ['user', 'user'] }), // a role listed twice counts once
        ]);
        expect(summary.roles).toEqual([
            { role: 'user', users: 4 },
            { role: 'livechat-agent', users: 2 },
            { role: 'admin', users: 1 },
            { role: 'bot', users: 1 },
            { role: 'guest', users: 1 },
        ]);
    });

    test('at most 10, ties broken by name across the cut', () => {
        const names = ['m', 'c', 'k', 'a', 'l', 'b', 'j', 'd', 'i', 'e', 'h', 'f', 'g'];
        const users = names.map((role) => user({ roles: [role] }));
        users.push(user({ roles: ['z'] }), user({ roles: ['z'] }));
        expect(summaryOf(users).roles).toEqual([{ role: 'z', users: 2 }, ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((role) => ({ role, users: 1 }))]);
    });
});

describe('the directory as it changes', () => {
    test('users removed or changed since it was built are counted as they are now', () => {
        const directory = new Directory([user({ _id: 'a' }), user({ _id: 'b' }), user({ _id: 'c', roles: ['guest'] })]);
        directory.remove('a');
        directory.upsert(user({ _id: 'c', roles: ['guest', 'user'], lastLogin: undefined }));
        directory.upsert(user({ _id: 'd', type: 'bot', roles: ['bot'] }));
        const summary = summarize(directory, NOW, undefined);
        expect(summary.seats).toBe(2);
        expect(summary.users).toEqual({ total: 3, active: 3, deactivated: 0, bots: 1, apps: 0, guests: 0, neverLoggedIn: 1 });
        expect(summary.roles).toEqual([
            { role: 'user', users: 2 },
            { role: 'bot', users: 1 },
            { role: 'guest', users: 1 },
        ]);
    });

    test('asOf is the time given, as ISO; null when the directory never changed', () => {
        expect(summaryOf([user()], Date.parse('2026-12-07T09:59:00.000Z')).asOf).toBe('2026-12-07T09:59:00.000Z');
        expect(summaryOf([]).asOf).toBeNull();
    });

    test('an empty directory counts nothing', () => {
        expect(summaryOf([])).toEqual({
            seats: 0,
            users: { total: 0, active: 0, deactivated: 0, bots: 0, apps: 0, guests: 0, neverLoggedIn: 0 },
            lastLogin: { '7d': 0, '30d': 0, '90d': 0, '1y': 0, older: 0, never: 0 },
            roles: [],
            asOf: null,
        });
    });
});

/** The rules written out plainly over records, to check the column scan against on random workspaces. */
function reference(users: UserRecord[]) {
    const active = users.filter((u) => u.active === true);
    const onlyGuest = (u: UserRecord) => JSON.stringify(u.roles) === '["guest"]';
    const seats = active.filter((u) => u.type !== 'bot' && u.type !== 'app' && u.federated !== true && !onlyGuest(u));
    const bucket = (u: UserRecord) => {
        if (u.lastLogin === undefined) return 'never';
        const days = (NOW - Date.parse(u.lastLogin)) / DAY;
        return days <= 7 ? '7d' : days <= 30 ? '30d' : days <= 90 ? '90d' : days <= 365 ? '1y' : 'older';
    };
    const lastLogin: Record<string, number> = { '7d': 0, '30d': 0, '90d': 0, '1y': 0, older: 0, never: 0 };
    seats.forEach((u) => lastLogin[bucket(u)]++);
    const roleCounts = new Map<string, number>();
    active.forEach((u) => new Set(u.roles ?? []).forEach((role) => roleCounts.set(role, (roleCounts.get(role) ?? 0) + 1)));
    return {
        seats: seats.length,
        users: {
            total: users.length,
            active: active.length,
            deactivated: users.length - active.length,
            bots: users.filter((u) => u.type === 'bot').length,
            apps: users.filter((u) => u.type === 'app').length,
            guests: active.filter(onlyGuest).length,
            neverLoggedIn: seats.filter((u) => u.lastLogin === undefined).length,
        },
        lastLogin,
        roles: [...roleCounts]
            .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
            .slice(0, 10)
            .map(([role, count]) => ({ role, users: count })),
        asOf: null,
    };
}

test('random workspaces: the column scan agrees with the rules written out over records', () => {
    const random = prng(15);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    for (let round = 0; round < 20; round++) {
        const users = Array.from({ length: 300 }, (_, i) =>
            rec({
                _id: `r${round}-${i}`,
                username: `r${i}`,
                type: pick([undefined, 'user', 'user', 'user', 'bot', 'app']),
                active: pick([undefined, true, true, true, false]),
                federated: pick([undefined, undefined, false, true]),
                roles: pick([
                    undefined,
                    [],
                    ['user'],
                    ['user'],
                    ['guest'],
                    ['guest', 'user'],
                    ['admin', 'user'],
                    ['bot'],
                    ...'abcdefghijkl'.split('').map((r) => [r]),
                ]),
                lastLogin: random() < 0.2 ? undefined : ago(Math.floor(random() * 500) * DAY * (random() < 0.1 ? 1 : 0.999)),
            }),
        );
        expect(summarize(new Directory(users), NOW, undefined)).toEqual(reference(users));
    }
});

describe('GET directory.summary', () => {
    const directory = new Directory([user({ roles: ['user', 'auditor'] }), user({ roles: ['admin'] })]);
    const clock = { now: NOW, asOf: NOW - 60_000 };
    const call = (who: Caller | undefined, settings: Record<string, unknown> = {}) =>
        respond(() => directorySummary({ caller: who, query: {} }, { directory, config: configFromValues(new Map(Object.entries(settings))) }, clock));

    test('401 without a caller, then the route-permission 403 for callers without view-seats', () => {
        expect(call(undefined)).toEqual(UNAUTHENTICATED);
        expect(call(USER)).toEqual(MISSING_PERMISSION);
        expect(call(caller(['user', 'livechat-manager', 'auditor']))).toEqual(MISSING_PERMISSION);
    });

    test('admins, and the roles the permission_view-seats setting lists', () => {
        const body = { ...summarize(directory, NOW, NOW - 60_000), success: true };
        expect(call(ADMIN)).toEqual({ status: 200, content: body });
        expect(call(caller(['user', 'auditor']), { 'permission_view-seats': 'admin, auditor' })).toEqual({ status: 200, content: body });
        // admins keep it whatever the setting lists
        expect(call(ADMIN, { 'permission_view-seats': 'auditor' }).status).toBe(200);
        expect(call(USER, { 'permission_view-seats': 'auditor' })).toEqual(MISSING_PERMISSION);
    });

    test('the body has exactly the documented keys', () => {
        const { content } = call(ADMIN);
        expect(Object.keys(content)).toEqual(['seats', 'users', 'lastLogin', 'roles', 'asOf', 'success']);
        expect(content).toMatchObject({
            seats: 2,
            asOf: '2026-12-07T09:59:00.000Z',
            roles: [
                { role: 'admin', users: 1 },
                { role: 'auditor', users: 1 },
                { role: 'user', users: 1 },
            ],
        });
    });
});

describe('asOf: when the directory last changed', () => {
    test('unknown before the first directory; then the time it was put in place, and of each change applied', async () => {
        let clock = Date.parse('2026-12-07T08:00:00.000Z');
        const appUser = { id: 'app.bot', username: 'app.bot', type: 'app', roles: ['app'], isEnabled: true } as unknown as IUser;
        const reader = {
            getUserReader: () => ({ getAppUser: async () => appUser }),
            getRoomReader: () => ({ getAllRooms: async () => [] }),
        } as unknown as IRead;
        const svc = new DirectoryService({
            reader: () => reader,
            store: new MemoryDatabase().instance(true),
            maxAgeMs: () => 60_000,
            onError: (error) => {
                throw error;
            },
            now: () => clock,
        });
        expect(svc.lastChangedAt()).toBeUndefined();
        await svc.tick();
        await svc.settled();
        expect(summarize(await svc.get(), clock, svc.lastChangedAt()).asOf).toBe('2026-12-07T08:00:00.000Z');

        clock += 90_000;
        svc.upsert({ ...appUser, id: 'ann', username: 'ann', type: 'user', roles: ['user'] } as unknown as IUser);
        const summary = summarize(await svc.get(), clock, svc.lastChangedAt());
        expect(summary.asOf).toBe('2026-12-07T08:01:30.000Z');
        expect(summary.seats).toBe(1);
    });
});
