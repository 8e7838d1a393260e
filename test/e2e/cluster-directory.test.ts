/// <reference types="jest" />
/**
 * The app on a cluster of three Rocket.Chat instances: a change made through
 * one instance reaches the two others through the shared feed (long before
 * any rebuild could bring it), the cluster
 * crawls once, and an instance started later loads the snapshot instead.
 */
import { generateDemoWorkspace } from '../../host';
import { Client, useHost } from './support';

jest.setTimeout(120_000);

/**
 * Far below the rebuild period (5 min), so a change seen in time came through
 * the feed. How fast the feed is (under a second) is the cluster benchmark's
 * figure: a loaded test machine must not fail the behaviour on speed.
 */
const PROPAGATION_MS = 3000;
const client = useHost(() => generateDemoWorkspace({ users: 300, seed: 11 }), { instances: 3 });
const admin = (n: number) => client().on(n);
const others = (n: number) => [1, 2, 3].filter((other) => other !== n).map(admin);
const all = () => [1, 2, 3].map(admin);

async function userOn(client: Client, username: string): Promise<Record<string, any> | undefined> {
    const { body } = await client.get('users.list', 'admin', { query: { username }, fields: { lastLogin: 1, statusText: 1 } });
    return body.users?.[0];
}

/** Waits until `check` holds for the user on every given instance; returns how long that took. */
async function visibleOn(
    targets: Client[],
    username: string,
    check: (user: Record<string, any> | undefined) => boolean,
    giveUpMs = 5 * PROPAGATION_MS,
): Promise<number> {
    const started = Date.now();
    for (;;) {
        const users = await Promise.all(targets.map((client) => userOn(client, username)));
        if (users.every(check)) return Date.now() - started;
        if (Date.now() - started > giveUpMs) {
            throw new Error(`${username} not as expected after ${giveUpMs} ms: ${JSON.stringify(users)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

/** The cheap pass's period (minutes) and the safety net's (hours), as an admin sets them. */
async function setUpkeep(passMinutes: number, fullHours: number): Promise<void> {
    const settings = [
        { id: 'directory_max_age_minutes', value: passMinutes },
        { id: 'directory_full_reread_hours', value: fullHours },
    ];
    expect((await admin(1).post(`/api/apps/${client().host.appId}/settings`, { settings }, 'admin')).status).toBe(200);
}

async function allIds(client: Client): Promise<string[]> {
    const { body } = await client.get('users.list', 'admin', { count: 0 });
    return body.users.map((user: { _id: string }) => user._id).sort();
}

it('instances started together crawl once: one instance read the members, the others loaded its snapshot', () => {
    const stats = client().host.stats();
    const crawlers = stats.filter((instance) => (instance.calls['RoomBridge.getMembers'] ?? 0) > 0);
    expect(crawlers).toHaveLength(1);
    expect(stats.reduce((sum, instance) => sum + instance.userReads, 0)).toBe(crawlers[0].userReads);
});

it('a created user is listed on the other instances through the feed', async () => {
    const created = await admin(1).post(
        '/api/v1/users.create',
        { username: 'cluster.newcomer', name: 'New Comer', email: 'cluster.newcomer@example.com', password: 'secret-pass' },
        'admin',
    );
    expect(created.status).toBe(200);
    expect(await visibleOn(others(1), 'cluster.newcomer', (user) => user?.name === 'New Comer')).toBeLessThan(PROPAGATION_MS);
});

it('an update and a deactivation through users.update reach the other instances through the feed', async () => {
    const before = client()
        .host.stats()
        .map((instance) => instance.events.IPostUserUpdated ?? 0);
    expect((await admin(2).post('/api/v1/users.update', { userId: 'alice', data: { name: 'Alice Clustered' } }, 'admin')).status).toBe(200);
    expect(await visibleOn(others(2), 'alice', (user) => user?.name === 'Alice Clustered')).toBeLessThan(PROPAGATION_MS);

    // Rocket.Chat fires the event before it applies `active`: the event alone would say active.
    expect((await admin(2).post('/api/v1/users.update', { userId: 'alice', data: { active: false } }, 'admin')).status).toBe(200);
    expect(await visibleOn(all(), 'alice', (user) => user?.active === false)).toBeLessThan(PROPAGATION_MS);
    // Only the handling instance got the events.
    expect(
        client()
            .host.stats()
            .map((instance, index) => (instance.events.IPostUserUpdated ?? 0) - before[index]),
    ).toEqual([0, 2, 0]);
});

it('a presence change and a login reach the other instances through the feed', async () => {
    expect((await admin(3).post('/api/v1/users.setStatus', { userId: 'agent', status: 'busy', message: 'on a call' }, 'admin')).status).toBe(200);
    expect(
        await visibleOn(others(3), 'agent', (user) => user?.status === 'busy' && user?.statusText === 'on a call' && user?.name === 'Avery Agent'),
    ).toBeLessThan(PROPAGATION_MS);
    // A change of the status text alone.
    expect((await admin(3).post('/api/v1/users.setStatus', { userId: 'agent', status: 'busy', message: 'back soon' }, 'admin')).status).toBe(200);
    expect(await visibleOn(others(3), 'agent', (user) => user?.statusText === 'back soon')).toBeLessThan(PROPAGATION_MS);

    const lastLogin = (await userOn(admin(1), 'manager'))?.lastLogin;
    expect((await admin(1).post('/host/login', { userId: 'manager' }, 'admin')).status).toBe(200);
    expect(await visibleOn(others(1), 'manager', (user) => !!user?.lastLogin && user.lastLogin !== lastLogin)).toBeLessThan(PROPAGATION_MS);
});

it('a deleted user disappears from every instance through the feed, and neither passes nor the safety net bring it back', async () => {
    const victim = (await admin(1).get('users.list', 'admin', { count: 1, offset: 40 })).body.users[0];
    expect((await admin(2).post('/api/v1/users.delete', { userId: victim._id }, 'admin')).status).toBe(200);
    expect(await visibleOn(others(2), victim.username, (user) => user === undefined)).toBeLessThan(PROPAGATION_MS);

    // A pass every 3 s and the safety net every 3.6 s: wait until the safety net has read everything again twice.
    const fullOf = async (client: Client) => (await client.get('directory.info', 'admin')).body.upkeep?.lastFull?.at;
    const first = await fullOf(admin(1));
    await setUpkeep(0.05, 0.001);
    const seen = new Set([first]);
    const deadline = Date.now() + 30_000;
    while (seen.size < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen.add(await fullOf(admin(1)));
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
    for (const each of all()) {
        expect(await userOn(each, victim.username)).toBeUndefined();
    }
    await setUpkeep(5, 24);
});

it('users.setActiveStatus fires no event; the deactivation shows after the next pass or safety net on every instance', async () => {
    const eventsBefore = client()
        .host.stats()
        .map((instance) => ({ ...instance.events }));
    expect((await admin(1).post('/api/v1/users.setActiveStatus', { userId: 'manager', activeStatus: false }, 'admin')).status).toBe(200);
    expect(
        client()
            .host.stats()
            .map((instance) => instance.events),
    ).toEqual(eventsBefore);
    expect((await userOn(admin(1), 'manager'))?.active).toBe(true);

    // A pass every 3 s (a direct room turned read-only), the safety net every 3.6 s (a user without one).
    await setUpkeep(0.05, 0.001);
    await visibleOn(all(), 'manager', (user) => user?.active === false, 15_000);
    await setUpkeep(5, 24);
});

it('all instances list the same users', async () => {
    await new Promise((resolve) => setTimeout(resolve, PROPAGATION_MS));
    const [one, two, three] = await Promise.all(all().map(allIds));
    expect(one.length).toBeGreaterThan(250);
    expect(two).toEqual(one);
    expect(three).toEqual(one);
});

it('an instance restarted later loads the snapshot with no server user read, and lists the same users', async () => {
    const third = client().host.instance(3);
    await third.restart();
    third.resetStats();
    await third.ready;
    const ids = await allIds(admin(3));
    expect(third.stats().userReads).toBe(0);
    expect(third.stats().calls['RoomBridge.getMembers'] ?? 0).toBe(0);
    expect(ids).toEqual(await allIds(admin(1)));
});

it('an idle instance reads persistence about twice a second (one look at the meta records)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = client().host.instance(2);
    second.resetStats();
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const reads = Object.entries(second.stats().calls)
        .filter(([method]) => /^PersistenceBridge\.read/.test(method))
        .reduce((sum, [, n]) => sum + n, 0);
    expect(reads).toBeLessThanOrEqual(6 * 2 * 1.25);
});

it('a method the endpoints do not serve is a 405 in the documented shape', async () => {
    const reply = await admin(1).raw(`${admin(1).appBase}/users.list`, {
        method: 'POST',
        headers: { ...Client.as('admin'), 'content-type': 'application/json' },
        body: '{}',
    });
    expect(reply.status).toBe(405);
    expect(reply.body).toEqual({ success: false, error: 'Method not allowed: use GET [error-method-not-allowed]', errorType: 'error-method-not-allowed' });
});
