/// <reference types="jest" />
/**
 * A cluster of three instances over one shared store: each admin action fires
 * its event on the instance that handled it only, the server's user reads
 * are counted as Rocket.Chat pays them, an app setting changed through one
 * instance reaches every instance, and an instance restarts with a fresh
 * Deno process over the same store.
 */
import type { InstanceStats } from '../../host';
import { smallWorkspace } from './fixtures';
import { Client, eventually, useHost } from './support';

jest.setTimeout(90_000);

/** The small workspace without its direct room: the app's crawl reads every room's members. */
function clusterWorkspace() {
    const workspace = smallWorkspace();
    return { ...workspace, rooms: workspace.rooms.filter((room) => room.t !== 'd') };
}

const client = useHost(clusterWorkspace, { instances: 3 });
const on = (n: number) => client().on(n);
const events = (stats: InstanceStats[]) => stats.map((s) => s.events);

describe('a cluster of 3 instances', () => {
    it('listens on one URL per instance and reports each in /host/stats (admins only)', async () => {
        const host = client().host;
        expect(host.instances.map((i) => i.number)).toEqual([1, 2, 3]);
        expect(new Set(host.instances.map((i) => i.url)).size).toBe(3);
        expect(new Set(host.instances.map((i) => i.denoPid())).size).toBe(3);
        const stats = await on(2).stats();
        expect(stats.map((s) => ({ instance: s.instance, url: s.url, port: s.port, running: s.running }))).toEqual(
            host.instances.map((i) => ({ instance: i.number, url: i.url, port: i.port, running: true })),
        );
        for (const s of stats) {
            expect(s).toEqual({
                instance: expect.any(Number),
                url: expect.any(String),
                port: expect.any(Number),
                running: true,
                events: expect.any(Object),
                bridgeCalls: Object.values(s.calls).reduce((a, b) => a + b, 0),
                userReads: expect.any(Number),
                roomReads: expect.any(Number),
                persistenceCalls: Object.entries(s.calls).reduce((a, [key, n]) => a + (key.startsWith('PersistenceBridge.') ? n : 0), 0),
                calls: expect.any(Object),
                // What the app keeps is one shared collection: the same records and bytes on every instance.
                persistence: {
                    reads: expect.any(Number),
                    readBytes: expect.any(Number),
                    writes: expect.any(Number),
                    writtenBytes: expect.any(Number),
                    removes: expect.any(Number),
                    records: stats[0].persistence.records,
                    bytes: stats[0].persistence.bytes,
                },
            });
        }
        expect(stats[0].persistence.records).toBeGreaterThan(0);
        expect(stats[0].persistence.bytes).toBeGreaterThan(stats[0].persistence.records);
        const refused = await client().raw(`${on(1).url}/host/stats`, { headers: Client.as('alice') });
        expect(refused.status).toBe(403);
    });

    it('counts one server user read per member of each room whose members were read, and the rooms each listing walked', async () => {
        const stats = client().host.stats();
        const members = clusterWorkspace().rooms.reduce((sum, room) => sum + room.members.length, 0);
        const rooms = clusterWorkspace().rooms.length;
        let crawls = 0;
        for (const s of stats) {
            const getMembers = s.calls['RoomBridge.getMembers'] ?? 0;
            // Every crawl reads every room (there is no direct room to skip).
            expect(getMembers % rooms).toBe(0);
            crawls += getMembers / rooms;
            // No room read here carries a creator to read as well.
            expect(Object.keys(s.calls).filter((key) => /^RoomBridge\.(getById|getByName|getCreator|getOwners)/.test(key))).toEqual([]);
            const singleReads = ['getById', 'getByUsername', 'getAppUser'].reduce((sum, method) => sum + (s.calls[`UserBridge.${method}`] ?? 0), 0);
            expect(s.userReads).toBe((getMembers / rooms) * members + singleReads);
            // One page holds every room: each listing walks them all once.
            expect(s.roomReads).toBe((s.calls['RoomBridge.getAllRooms'] ?? 0) * rooms);
        }
        expect(rooms).toBeLessThan(100);
        // The app crawls once for the whole cluster.
        expect(crawls).toBe(1);
    });

    it("fires an admin action's event on the instance that handled it only", async () => {
        await on(1).raw(`${on(1).url}/host/stats/reset`, { method: 'POST', headers: Client.as('admin') });
        expect(events(await on(1).stats())).toEqual([{}, {}, {}]);

        expect((await on(2).post('/api/v1/users.update', { userId: 'alice', data: { name: 'Alice Two' } }, 'admin')).status).toBe(200);
        expect(events(await on(1).stats())).toEqual([{}, { IPostUserUpdated: 1 }, {}]);

        const created = await on(3).post('/api/v1/users.create', { username: 'third', name: 'Third', email: 'third@example.com', password: 'pw' }, 'admin');
        expect(created.status).toBe(200);
        expect((await on(1).post('/api/v1/users.setStatus', { userId: 'ciel', status: 'busy' }, 'admin')).status).toBe(200);
        expect((await on(2).post('/host/login', { userId: 'ciel' }, 'admin')).status).toBe(200);
        expect((await on(3).post('/api/v1/users.delete', { userId: 'guest' }, 'admin')).status).toBe(200);
        expect((await on(1).post('/api/v1/users.setActiveStatus', { userId: 'norole', activeStatus: false }, 'admin')).status).toBe(200);
        expect(events(await on(2).stats())).toEqual([
            { IPostUserStatusChanged: 1 },
            { IPostUserLoggedIn: 1, IPostUserUpdated: 1 },
            { IPostUserCreated: 1, IPostUserDeleted: 1 },
        ]);
    });

    it('shows a change handled by one instance on every instance within about a second (the app shares it through persistence)', async () => {
        expect((await on(3).post('/api/v1/users.update', { userId: 'manager', data: { name: 'Mona Three' } }, 'admin')).status).toBe(200);
        for (const n of [1, 2, 3]) {
            const listed = await eventually(
                async () => (await on(n).get('users.list', 'admin', { query: { username: 'manager' } })).body.users?.[0]?.name,
                (name) => name === 'Mona Three',
                3000,
            );
            expect(listed).toBe('Mona Three');
        }
        // Every instance's app uses the shared persistence.
        for (const s of await on(1).stats()) expect(s.persistenceCalls).toBeGreaterThan(0);
    });

    it('passes an app setting changed through one instance on to every instance', async () => {
        const appId = client().host.appId;
        const setting = async (n: number) => {
            const reply = await client().raw(`${on(n).url}/api/apps/${appId}/settings`, { headers: Client.as('admin') });
            expect(reply.status).toBe(200);
            return reply.body.settings.api_default_count;
        };
        expect(await setting(3)).toMatchObject({ id: 'api_default_count', packageValue: 50 });
        const post = (settings: unknown, as = 'admin') =>
            client().raw(`${on(2).url}/api/apps/${appId}/settings`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...Client.as(as) },
                body: JSON.stringify({ settings }),
            });

        expect((await post([{ id: 'api_default_count', value: 2 }], 'alice')).status).toBe(403);
        expect(await post(undefined)).toEqual({ status: 400, body: { success: false, error: 'The settings to update must be present.' } });

        await on(1).raw(`${on(1).url}/host/stats/reset`, { method: 'POST', headers: Client.as('admin') });
        expect(
            await post([
                { id: 'api_default_count', value: 2 },
                { id: 'no_such_setting', value: 1 },
            ]),
        ).toEqual({
            status: 200,
            body: { updated: [{ id: 'api_default_count', value: 2 }], success: true },
        });
        for (const n of [1, 2, 3]) {
            expect(await setting(n)).toMatchObject({ id: 'api_default_count', value: 2, packageValue: 50 });
            const { body } = await on(n).get('users.list', 'alice');
            expect(body).toMatchObject({ count: 2, offset: 0 });
        }
        expect(events(await on(1).stats())).toEqual([{ onSettingUpdated: 1 }, { onSettingUpdated: 1 }, { onSettingUpdated: 1 }]);
        // The same value again changes nothing.
        expect((await post([{ id: 'api_default_count', value: 2 }])).body).toEqual({ updated: [], success: true });
        await post([{ id: 'api_default_count', value: 50 }]);
    });

    it('restarts an instance with a fresh Deno process and app memory over the same store', async () => {
        const third = client().host.instance(3);
        const pid = third.denoPid();
        const url = third.url;
        await third.stop();
        expect(third.running).toBe(false);
        expect(third.denoPid()).toBeUndefined();
        await expect(fetch(`${url}/api/info`)).rejects.toThrow();
        expect((await on(1).stats())[2]).toMatchObject({ instance: 3, running: false });

        // The workspace goes on without it; the change is in the shared store.
        const created = await on(1).post(
            '/api/v1/users.create',
            { username: 'latecomer', name: 'Late Comer', email: 'late@example.com', password: 'pw' },
            'admin',
        );
        expect(created.status).toBe(200);

        await third.start();
        await third.ready;
        expect(third.url).toBe(url);
        expect(third.denoPid()).toEqual(expect.any(Number));
        expect(third.denoPid()).not.toBe(pid);
        const seen = await eventually(
            async () => (await on(3).get('users.list', 'admin', { query: { username: 'latecomer' } })).body.users ?? [],
            (users) => users.length === 1,
            3000,
        );
        expect(seen).toEqual([expect.objectContaining({ _id: created.body.user._id, name: 'Late Comer' })]);
    });
});
