/// <reference types="jest" />
/**
 * Interrupted writes, through a cluster kept in a data directory (as a
 * Rocket.Chat restarted over its MongoDB): a base whose chunks are not all
 * there is never loaded (a new one is built instead), and the records a
 * writer that died midway left behind are removed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { generateDemoWorkspace, RunningHost, startHost } from '../../host';
import { appZip, Client, testEngine } from './support';

jest.setTimeout(120_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upkeep-torn-e2e-'));
const start = () =>
    startHost({
        zipPath: appZip(),
        workspace: generateDemoWorkspace({ users: 300, seed: 5 }),
        port: 0,
        instances: 2,
        engine: testEngine(),
        dataDir: dir,
        log: () => undefined,
    });

interface SavedRecord {
    _id: string;
    appId: string;
    associations?: Array<{ model: string; id: string }>;
    data: Record<string, unknown>;
}
interface Saved {
    persistence: SavedRecord[];
    [key: string]: unknown;
}
const file = path.join(dir, 'store.json');
const read = (): Saved => JSON.parse(fs.readFileSync(file, 'utf8')) as Saved;
const keysOf = (record: SavedRecord) => (record.associations ?? []).map((association) => association.id);
const holding = (saved: Saved, key: string) => saved.persistence.filter((record) => keysOf(record).includes(key));

let host: RunningHost | undefined;
afterAll(async () => {
    await host?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function allIds(client: Client): Promise<string[]> {
    const { body } = await client.get('users.list', 'admin', { count: 0 });
    return (body.users as Array<{ _id: string }>).map((user) => user._id).sort();
}

it("never loads a torn base, builds a new one, and removes a dead writer's records", async () => {
    host = await start();
    await host.ready;
    const before = await allIds(new Client(host));
    await host.stop();

    // Tear the base (a chunk gone) and leave a dead writer's marker and chunk behind.
    const saved = read();
    const [pointer] = holding(saved, 'user-directory/snapshot');
    const baseId = pointer.data.id as string;
    const chunk = holding(saved, `user-directory/snapshot/${baseId}/0`)[0];
    saved.persistence = saved.persistence.filter((record) => record !== chunk);
    const appId = pointer.appId;
    const misc = (id: string) => ({ model: 'misc', id });
    saved.persistence.push(
        {
            _id: 'dead-marker',
            appId,
            associations: [misc('user-directory/snapshot-pending'), misc('user-directory/snapshot/dead')],
            data: { kind: 'snapshot-pending', id: 'dead', startedAt: 1 },
        },
        {
            _id: 'dead-chunk',
            appId,
            associations: [misc('user-directory/snapshot/dead'), misc('user-directory/snapshot/dead/0')],
            data: { index: 0, users: [] },
        },
    );
    fs.writeFileSync(file, JSON.stringify(saved));

    host = await start();
    await host.ready;
    const client = new Client(host);
    for (const n of [1, 2]) {
        const info = (await client.on(n).get('directory.info', 'admin')).body;
        expect(info.ready).toBe(true);
        expect(info.snapshot.id).not.toBe(baseId); // the torn one was never used
        expect(await allIds(client.on(n))).toEqual(before);
    }
    await host.stop();
    host = undefined;

    const after = read();
    expect(holding(after, 'user-directory/snapshot/dead')).toEqual([]);
    expect(holding(after, 'user-directory/snapshot-pending')).toEqual([]);
});
