/// <reference types="jest" />
/**
 * `dataDir` (npm start -- --data DIR): a cluster stopped cleanly and started
 * again over the same directory has the users, rooms and app persistence it
 * had, as a Rocket.Chat restarted over its MongoDB; the workspace given to
 * the second start is not used.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startHost, RunningHost } from '../../host';
import { probeEvents, probeZip } from './probe-app';
import { Client, eventually, testEngine } from './support';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-data-e2e-'));
const start = (users: string[]) =>
    startHost({
        zipPath: probeZip(),
        workspace: {
            users: users.map((id) => ({ _id: id, username: id, roles: id === 'admin' ? ['admin', 'user'] : ['user'], authToken: `${id}-token` })),
            rooms: [{ _id: 'GENERAL', name: 'general', t: 'c', members: [...users], owners: ['admin'] }],
        },
        port: 0,
        instances: 2,
        engine: testEngine(),
        dataDir: dir,
        log: () => undefined,
    });

let host: RunningHost | undefined;
afterAll(async () => {
    await host?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('keeps users, rooms and app persistence across a restart of the whole cluster', async () => {
    host = await start(['admin', 'alice']);
    await host.ready;
    const client = new Client(host);
    const created = await client.post('/api/v1/users.create', { email: 'bob@example.com', name: 'Bob', password: 'x', username: 'bob' }, 'admin');
    expect(created.status).toBe(200);
    expect((await client.post('/api/v1/channels.leave', { roomId: 'GENERAL' }, 'alice')).status).toBe(200);
    await eventually(
        () => probeEvents(host!.instance(1)),
        (events) => events.length === 2,
        5000,
    );
    const kept = host.stats()[0].persistence;
    await host.stop();
    expect(fs.readdirSync(dir)).toEqual(['store.json']);

    // Started again with another workspace: the kept one is used.
    host = await start(['admin', 'zed']);
    await host.ready;
    const after = new Client(host).on(2);
    const info = await after.raw(`${after.url}/api/v1/rooms.info?roomId=GENERAL`, { headers: Client.as('admin') });
    expect(info.body.room.usersCount).toBe(2); // admin and bob; alice left
    const ids = (await host.instance(2).appAccessors().read.getRoomReader().getMembers('GENERAL')).map((u) => u.username).sort();
    expect(ids).toEqual(['admin', 'bob']);
    expect(await host.instance(2).appAccessors().read.getUserReader().getByUsername('zed')).toBeUndefined();
    expect((await probeEvents(host.instance(1))).map((e) => e.event).sort()).toEqual(['IPostRoomUserLeave', 'IPostUserCreated']);
    expect(host.stats()[1].persistence).toMatchObject({ records: kept.records, bytes: kept.bytes });
}, 120_000);
