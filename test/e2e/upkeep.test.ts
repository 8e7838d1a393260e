/// <reference types="jest" />
/**
 * How the directory stays fresh on a two-instance cluster, and what that
 * costs the server (/host/stats): room join events, the cheap pass over the
 * rooms (a direct room turned read-only), idle passes reading no user, the
 * safety net for users in no room, changes ordered by when they were true,
 * a new base only once the feed has grown, and GET requests writing nothing.
 */
import type { Workspace, WorkspaceUser } from '../../host';
import { Client, useHost } from './support';

jest.setTimeout(120_000);

function user(id: string, fields: Partial<WorkspaceUser> = {}): WorkspaceUser {
    return { _id: id, username: id, name: id, type: 'user', roles: ['user'], active: true, authToken: `${id}-token`, ...fields };
}

const LOADED = '2024-01-01T00:00:00.000Z';
const CROWD = Array.from({ length: 40 }, (_, i) => `crowd${i}`);

function workspace(): Workspace {
    return {
        users: [
            user('admin', { roles: ['admin', 'user'] }),
            user('alice'),
            user('bob'),
            user('carol'),
            user('loner'),
            user('hermit'),
            ...CROWD.map((id) => user(id)),
        ],
        rooms: [
            { _id: 'GENERAL', name: 'general', t: 'c', members: ['admin', 'alice', 'bob', 'carol', ...CROWD], owners: ['admin'], _updatedAt: LOADED },
            { _id: 'lounge', name: 'lounge', t: 'c', members: ['admin'], owners: ['admin'], _updatedAt: LOADED },
            { _id: 'alicebob', t: 'd', members: ['alice', 'bob'], _updatedAt: LOADED },
            { _id: 'carolbob', t: 'd', members: ['carol', 'bob'], _updatedAt: LOADED },
        ],
    };
}

const client = useHost(workspace, { instances: 2 });
const on = (n: number) => client().on(n);
const both = () => [on(1), on(2)];
const post = (n: number, route: string, body: unknown) => on(n).post(`/api/v1/${route}`, body, 'admin');

async function userOn(target: Client, username: string): Promise<Record<string, any> | undefined> {
    const { body } = await target.get('users.list', 'admin', { query: { username }, fields: { statusText: 1 } });
    return body.users?.[0];
}

/** Waits until `check` holds for the user on both instances. */
async function visible(username: string, check: (user: Record<string, any> | undefined) => boolean, giveUpMs = 15_000): Promise<void> {
    const started = Date.now();
    for (;;) {
        const users = await Promise.all(both().map((target) => userOn(target, username)));
        if (users.every(check)) return;
        if (Date.now() - started > giveUpMs) throw new Error(`${username} not as expected after ${giveUpMs} ms: ${JSON.stringify(users)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** The cheap pass's period (minutes) and the safety net's (hours). */
async function setUpkeep(passMinutes: number, fullHours: number): Promise<void> {
    const settings = [
        { id: 'directory_max_age_minutes', value: passMinutes },
        { id: 'directory_full_reread_hours', value: fullHours },
    ];
    expect((await on(1).post(`/api/apps/${client().host.appId}/settings`, { settings }, 'admin')).status).toBe(200);
}

const info = async (n = 1) => (await on(n).get('directory.info', 'admin')).body;
const sum = (pick: (stats: ReturnType<ReturnType<typeof client>['host']['stats']>[number]) => number) =>
    client()
        .host.stats()
        .reduce((total, stats) => total + pick(stats), 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until a pass that began after now has run. */
async function nextPass(): Promise<void> {
    const after = Date.now();
    for (let tries = 0; tries < 100; tries++) {
        const at = (await info()).upkeep?.lastPass?.at;
        if (at && Date.parse(at) > after) return;
        await sleep(200);
    }
    throw new Error('no pass ran');
}

afterEach(() => setUpkeep(5, 24));

it('a user in no room who joins a channel is listed on every instance at once (the join event), with no room read', async () => {
    expect(await userOn(on(1), 'loner')).toBeUndefined();
    client().host.resetStats();
    expect((await post(2, 'channels.invite', { roomId: 'lounge', userId: 'loner' })).status).toBe(200);
    await visible('loner', (found) => found?.username === 'loner', 3000);
    expect(sum((stats) => stats.calls['RoomBridge.getMembers'] ?? 0)).toBe(0);
});

/** Passes every 3 s, once the rooms changed by earlier tests are behind the pass's 5 s of slack. */
async function passesEvery3s(): Promise<void> {
    await setUpkeep(0.05, 24);
    await sleep(6000);
    await nextPass();
}

it('idle passes read no user and write next to nothing', async () => {
    await passesEvery3s();
    client().host.resetStats();
    await nextPass();
    await nextPass();
    expect(sum((stats) => stats.userReads)).toBe(0);
    expect(sum((stats) => stats.calls['RoomBridge.getAllRooms'] ?? 0)).toBeGreaterThanOrEqual(2);
    // The lease and the pass's state replaced in place: no record added (no snapshot chunk, no feed entry).
    expect(sum((stats) => stats.calls['PersistenceBridge.createWithAssociations'] ?? 0)).toBe(0);
});

it('users.setActiveStatus of a user with a direct room shows after the next pass, which reads just that room’s members by id', async () => {
    await passesEvery3s();
    client().host.resetStats();
    expect((await post(1, 'users.setActiveStatus', { userId: 'bob', activeStatus: false })).status).toBe(200);
    await visible('bob', (found) => found?.active === false);
    expect(sum((stats) => stats.calls['RoomBridge.getMembers'] ?? 0)).toBe(0);
    expect(sum((stats) => stats.userReads)).toBeLessThanOrEqual(3); // bob, and at most the other members shown active

    expect((await post(2, 'users.setActiveStatus', { userId: 'bob', activeStatus: true })).status).toBe(200);
    await visible('bob', (found) => found?.active === true);
});

it('a user in no room is read again by id by the safety net, and only by it', async () => {
    // Known through a login only.
    expect((await on(1).post('/host/login', { userId: 'hermit' }, 'admin')).status).toBe(200);
    await visible('hermit', (found) => found?.active === true, 3000);
    expect((await post(1, 'users.setActiveStatus', { userId: 'hermit', activeStatus: false })).status).toBe(200);
    await setUpkeep(0.05, 24);
    await nextPass();
    await nextPass();
    expect((await userOn(on(2), 'hermit'))?.active).toBe(true); // no signal: passes cannot see it

    const before = (await info()).upkeep?.lastFull?.at;
    await setUpkeep(0.05, 0.001);
    await visible('hermit', (found) => found?.active === false);
    const after = (await info()).upkeep.lastFull;
    expect(after.at).not.toBe(before);
    expect(after.readById).toBeGreaterThanOrEqual(2); // hermit and the app user, in no room
});

it('changes made at once through both instances end in the newest state everywhere, whatever order the reads come back in', async () => {
    for (let round = 0; round < 5; round++) {
        const name = `Carol ${round}`;
        const text = `round ${round}`;
        const update = post(1, 'users.update', { userId: 'carol', data: { name } });
        await sleep(100 + 25 * round); // around the read-back after the update
        expect((await post(2, 'users.setStatus', { userId: 'carol', status: round % 2 ? 'busy' : 'away', message: text })).status).toBe(200);
        expect((await update).status).toBe(200);
        await visible('carol', (found) => found?.name === name && found?.statusText === text, 5000);
    }
    await sleep(1000); // read-backs in flight land
    for (const target of both()) {
        expect(await userOn(target, 'carol')).toMatchObject({ name: 'Carol 4', statusText: 'round 4', status: 'away' });
    }
});

it('stores changes, not copies: a new base only once the feed has grown enough; the other instance takes it without reading it', async () => {
    const base = (await info()).snapshot;
    await setUpkeep(0.05, 24);
    for (let i = 0; i < 10; i++) {
        await Promise.all(CROWD.map((id, j) => post(1, 'users.setStatus', { userId: id, status: 'busy', message: `m${i}-${j}` })));
    }
    await nextPass();
    expect((await info()).snapshot.id).toBe(base.id); // 400 changes: not worth a new base
    for (let i = 10; i < 26; i++) {
        await Promise.all(CROWD.map((id, j) => post(1, 'users.setStatus', { userId: id, status: 'away', message: `m${i}-${j}` })));
    }
    await nextPass();
    await nextPass();
    const [first, second] = [(await info(1)).snapshot, (await info(2)).snapshot];
    expect(first.id).not.toBe(base.id);
    expect(second.id).toBe(first.id);
    // One instance wrote it; the other took it without reading it: the feed had brought it all.
    expect([first.taken, second.taken].sort()).toEqual(['adopted', 'written']);

    const third = client().host.instance(2);
    await third.restart();
    await third.ready;
    expect(await userOn(on(2), 'crowd7')).toMatchObject({ statusText: 'm25-7' });
});

it('GET requests write nothing to app persistence', async () => {
    client().host.resetStats();
    for (let i = 0; i < 20; i++) {
        expect((await on(2).get('users.list', 'alice', { count: 5, offset: i })).status).toBe(200);
        expect((await on(2).get('directory.info', 'admin')).status).toBe(200);
    }
    const second = client().host.instance(2).stats();
    expect(second.persistence.writes).toBe(0);
    expect(second.persistence.removes).toBe(0);
});
