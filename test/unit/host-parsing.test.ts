/// <reference types="jest" />
/**
 * The local workspace host's pure parts: workspace parsing, the demo
 * generator, query and slash command argument parsing, and the scheduler's
 * time expressions.
 */
import { generateDemoWorkspace, parseWorkspace } from '../../host';
import type { WorkspaceUser } from '../../host';
import { parseParameters } from '../../host/front';
import { parseQuery } from '../../host/http';
import { nextRun, parseInterval, parseWhen } from '../../host/schedule';

describe('parseWorkspace', () => {
    const ok = () => ({
        users: [
            { _id: 'u1', username: 'alice', lastLogin: '2024-04-24T17:47:50.485Z', roles: ['user'], customFields: { clearance: 'High' } },
            { _id: 'u2', username: 'bob' },
        ],
        rooms: [{ _id: 'GENERAL', name: 'general', t: 'c', members: ['u1'] }],
    });

    it('accepts the documented shape and normalizes dates', () => {
        const ws = ok() as any;
        ws.users[1].createdAt = { $date: '2023-01-01T00:00:00Z' };
        const parsed = parseWorkspace(ws);
        expect(parsed.users).toHaveLength(2);
        expect(parsed.users[1].createdAt).toBe('2023-01-01T00:00:00.000Z');
        expect(parsed.rooms[0].members).toEqual(['u1']);
        expect(parseWorkspace({ users: [] })).toEqual({ users: [], rooms: [] });
    });

    it.each([
        ['not an object', [], /JSON object/],
        ['users missing', { rooms: [] }, /"users" must be an array/],
        [
            'username not a string',
            {
                users: [
                    { _id: 'a', username: 'a' },
                    { _id: 'b', username: 'b' },
                    { _id: 'c', username: 'c' },
                    { _id: 'd', username: 3 },
                ],
            },
            /^users\[3\]\.username must be a non-empty string, got a number \(3\)$/,
        ],
        ['missing _id', { users: [{ username: 'x' }] }, /^users\[0\]\._id must be a non-empty string/],
        [
            'duplicate _id',
            {
                users: [
                    { _id: 'a', username: 'x' },
                    { _id: 'a', username: 'y' },
                ],
            },
            /^users\[1\]\._id "a" duplicates users\[0\]\._id$/,
        ],
        [
            'duplicate username, ignoring case',
            {
                users: [
                    { _id: 'a', username: 'Alice' },
                    { _id: 'b', username: 'alice' },
                ],
            },
            /^users\[1\]\.username "alice" duplicates users\[0\]\.username "Alice"/,
        ],
        ['bad date', { users: [{ _id: 'a', username: 'x', lastLogin: 'yesterday' }] }, /^users\[0\]\.lastLogin must be an ISO date string/],
        ['roles not strings', { users: [{ _id: 'a', username: 'x', roles: ['user', 1] }] }, /^users\[0\]\.roles\[1\] must be a string/],
        ['emails malformed', { users: [{ _id: 'a', username: 'x', emails: [{ verified: true }] }] }, /^users\[0\]\.emails\[0\]\.address must be a string/],
        ['active not boolean', { users: [{ _id: 'a', username: 'x', active: 'yes' }] }, /^users\[0\]\.active must be a boolean/],
        ['customFields not an object', { users: [{ _id: 'a', username: 'x', customFields: [] }] }, /^users\[0\]\.customFields must be an object, got an array/],
        ['bad room type', { users: [], rooms: [{ _id: 'r', t: 'x', members: [] }] }, /^rooms\[0\]\.t must be "c"/],
        [
            'member that is no user',
            { users: [{ _id: 'a', username: 'x' }], rooms: [{ _id: 'r', t: 'c', members: ['a', 'ghost'] }] },
            /^rooms\[0\]\.members\[1\] "ghost" is not the _id of any user$/,
        ],
        [
            'member listed twice',
            { users: [{ _id: 'a', username: 'x' }], rooms: [{ _id: 'r', t: 'c', members: ['a', 'a'] }] },
            /^rooms\[0\]\.members\[1\] "a" is listed twice$/,
        ],
        [
            'duplicate room',
            {
                users: [],
                rooms: [
                    { _id: 'r', t: 'c', members: [] },
                    { _id: 'r', t: 'p', members: [] },
                ],
            },
            /^rooms\[1\]\._id "r" duplicates rooms\[0\]\._id$/,
        ],
    ])('rejects %s with a message naming the problem', (_name, input, message) => {
        expect(() => parseWorkspace(input)).toThrow(message);
    });
});

describe('generateDemoWorkspace', () => {
    it('is deterministic, valid, and has the well-known accounts and kinds of users', () => {
        const a = generateDemoWorkspace();
        expect(JSON.stringify(generateDemoWorkspace())).toBe(JSON.stringify(a));
        expect(JSON.stringify(generateDemoWorkspace({ seed: 2 }))).not.toBe(JSON.stringify(a));
        expect(() => parseWorkspace(JSON.parse(JSON.stringify(a)))).not.toThrow();
        expect(a.users.length).toBeGreaterThanOrEqual(1000);
        const byId = new Map(a.users.map((u) => [u._id, u]));
        expect(byId.get('admin')).toMatchObject({ username: 'admin', authToken: 'admin-token', roles: expect.arrayContaining(['admin']) });
        expect(byId.get('alice')).toMatchObject({ authToken: 'alice-token', roles: ['user'] });
        expect(byId.get('manager')).toMatchObject({ authToken: 'manager-token', roles: expect.arrayContaining(['livechat-manager']) });
        expect(byId.get('agent')).toMatchObject({ authToken: 'agent-token', roles: expect.arrayContaining(['livechat-agent']) });
        expect(a.users.some((u) => u.type === 'bot')).toBe(true);
        expect(a.users.some((u) => u.type === 'app')).toBe(true);
        expect(a.users.some((u) => u.active === false)).toBe(true);
        expect(a.users.some((u) => u.type === 'user' && !u.lastLogin)).toBe(true);
        expect(a.users.some((u) => u.customFields?.clearance === 'High')).toBe(true);
        const inRooms = new Set(a.rooms.flatMap((r) => r.members));
        const outside = a.users.filter((u) => !inRooms.has(u._id));
        expect(outside.length).toBeGreaterThan(0);
        expect(outside.length).toBeLessThanOrEqual(5);
        expect(a.rooms.some((r) => r.t === 'p')).toBe(true);
        expect(a.rooms.filter((r) => r.t === 'd').length).toBeGreaterThan(100);
    });

    it('is dated relative to its day: recent, idle and never-logged-in users, online ones seen lately', () => {
        const day = Date.UTC(2026, 11, 7);
        const morning = generateDemoWorkspace({ now: day + 3600_000 });
        expect(JSON.stringify(generateDemoWorkspace({ now: day + 23 * 3600_000 }))).toBe(JSON.stringify(morning));
        const nextDay = generateDemoWorkspace({ now: day + 86400_000 });
        const shifted = (u: WorkspaceUser) => u.lastLogin && new Date(Date.parse(u.lastLogin) - 86400_000).toISOString();
        expect(nextDay.users.map(shifted)).toEqual(morning.users.map((u) => u.lastLogin));

        const people = morning.users.filter((u) => u.type === 'user');
        const daysAgo = (u: WorkspaceUser) => (u.lastLogin ? (day - Date.parse(u.lastLogin)) / 86400_000 : Infinity);
        const share = (test: (u: WorkspaceUser) => boolean) => people.filter(test).length / people.length;
        expect(share((u) => daysAgo(u) < 7)).toBeGreaterThan(0.4);
        expect(share((u) => daysAgo(u) >= 7 && daysAgo(u) < 90)).toBeGreaterThan(0.1);
        expect(share((u) => daysAgo(u) >= 90 && daysAgo(u) < Infinity)).toBeGreaterThan(0.1);
        expect(share((u) => daysAgo(u) === Infinity)).toBeGreaterThan(0.05);
        expect(people.every((u) => daysAgo(u) > 0 && (!u.lastLogin || (u.createdAt as string) <= u.lastLogin))).toBe(true);
        expect(people.filter((u) => u.status !== 'offline').every((u) => daysAgo(u) <= 3)).toBe(true);
        expect(morning.users.filter((u) => !u.name).length).toBeLessThan(morning.users.length / 50);
        expect(morning.users.find((u) => u.name === 'Jérôme Dupré')).toMatchObject({ username: 'jerome.dupre', active: true });
    });

    // How fast is the benchmark's business (about 2 s here); this guards against hanging.
    it('scales to 100,000 users', () => {
        const big = generateDemoWorkspace({ users: 100000 });
        expect(big.users).toHaveLength(100000);
        expect(big.rooms.find((r) => r._id === 'GENERAL')!.members.length).toBeGreaterThan(99000);
    }, 90000);
});

describe('query and argument parsing', () => {
    it('parses query strings as Express does', () => {
        expect(parseQuery('roles[]=a&roles[]=b')).toEqual({ roles: ['a', 'b'] });
        expect(parseQuery('roles=a&roles=b')).toEqual({ roles: ['a', 'b'] });
        expect(parseQuery('roles=a')).toEqual({ roles: 'a' });
        expect(parseQuery('sort=%7B%22name%22%3A1%7D&count=5')).toEqual({ sort: '{"name":1}', count: '5' });
        expect(parseQuery('a[b]=1')).toEqual({ a: { b: '1' } });
    });

    it('splits slash command parameters as Rocket.Chat does', () => {
        expect(parseParameters('')).toEqual([]);
        expect(parseParameters('  a  b ')).toEqual(['a', 'b']);
        expect(parseParameters('role:admin "John Smith" x')).toEqual(['role:admin', 'John Smith', 'x']);
    });
});

describe('scheduler time expressions', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    it('understands the "when" of one-time jobs', () => {
        expect(parseWhen('in 5 seconds', now)).toBe(now + 5000);
        expect(parseWhen('2 minutes', now)).toBe(now + 120000);
        expect(parseWhen(new Date(now + 1))).toBe(now + 1);
        expect(parseWhen('2025-01-02T00:00:00Z', now)).toBe(Date.UTC(2025, 0, 2));
        expect(() => parseWhen('whenever', now)).toThrow(/Invalid "when"/);
    });
    it('understands the intervals of recurring jobs: milliseconds, human intervals and cron', () => {
        expect(nextRun(parseInterval(1500), now)).toBe(now + 1500);
        expect(nextRun(parseInterval('1 hour and 30 minutes'), now)).toBe(now + 5400000);
        const every5 = parseInterval('*/5 * * * *');
        const next = nextRun(every5, now + 61000);
        expect(new Date(next).getMinutes() % 5).toBe(0);
        expect(new Date(next).getSeconds()).toBe(0);
        expect(next - (now + 61000)).toBeLessThanOrEqual(5 * 60000);
        expect(() => parseInterval('sometimes')).toThrow(/Invalid interval/);
    });
});
