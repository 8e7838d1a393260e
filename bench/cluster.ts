/**
 * npm run bench:cluster [-- --users 100000 --instances 3 --changes 60 --user-read-us 0]
 *
 * The app on a cluster of Rocket.Chat instances over one shared store: how
 * long the cluster takes to get ready and how many server user reads that
 * costs (one crawl for the cluster), how long a change made through one
 * instance takes to be visible on every other one (median and p95 over
 * distinct changes: renames, presence, deactivations through users.update,
 * logins), the server user reads of one rebuild period, and what an instance
 * restarted later costs. Prints a table and writes bench/results/cluster.json.
 */
import * as fs from 'fs';
import * as path from 'path';

import { generateDemoWorkspace, prng, startHost } from '../host';

function option(name: string, fallback: string): string {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const USERS = Number(option('users', '100000'));
const INSTANCES = Number(option('instances', '3'));
const CHANGES = Number(option('changes', '60'));
const USER_READ_US = Number(option('user-read-us', '0'));
const root = path.resolve(__dirname, '..');
const ADMIN = { 'X-User-Id': 'admin', 'X-Auth-Token': 'admin-token' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function call(url: string, init: RequestInit = {}): Promise<any> {
    const response = await fetch(url, { ...init, headers: { ...ADMIN, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body;
}

async function main(): Promise<void> {
    const zip = path.join(
        root,
        'dist',
        fs.readdirSync(path.join(root, 'dist')).find((name) => name.endsWith('.zip'))!,
    );
    const workspace = generateDemoWorkspace({ users: USERS });
    const memberships = workspace.rooms.filter((room) => room.t !== 'd').reduce((sum, room) => sum + room.members.length, 0);

    let started = Date.now();
    const host = await startHost({ zipPath: zip, workspace, port: 0, instances: INSTANCES, userReadUs: USER_READ_US });
    await host.ready;
    const readyMs = Date.now() - started;
    const startReads = host.stats().map((instance) => instance.userReads);
    const base = (n: number) => `${host.instances[n].url}/api/apps/public/${host.appId}`;
    const post = (n: number, route: string, body: unknown) => call(`${host.instances[n].url}${route}`, { method: 'POST', body: JSON.stringify(body) });
    const userOn = async (n: number, id: string) =>
        (
            await call(
                `${base(n)}/users.list?query=${encodeURIComponent(JSON.stringify({ _id: id }))}&fields=${encodeURIComponent('{"lastLogin":1,"statusText":1}')}`,
            )
        ).users[0];

    try {
        // Propagation: distinct changes to distinct users, each through another instance.
        const candidates = workspace.users.filter((user) => user.active !== false && user.authToken && !['admin'].includes(user._id));
        const latencies: number[] = [];
        const next = prng(3);
        for (let i = 0; i < CHANGES; i++) {
            // Changes come at random moments, not right after the instances last looked at the feed.
            await sleep(next() * 1000);
            const user = candidates[(i * 7919) % candidates.length];
            const via = i % INSTANCES;
            const kind = i % 4;
            let check: (seen: any) => boolean;
            const sent = Date.now();
            if (kind === 0) {
                const name = `Renamed ${i}`;
                await post(via, '/api/v1/users.update', { userId: user._id, data: { name } });
                check = (seen) => seen?.name === name;
            } else if (kind === 1) {
                const message = `status ${i}`;
                await post(via, '/api/v1/users.setStatus', { userId: user._id, status: 'busy', message });
                check = (seen) => seen?.statusText === message;
            } else if (kind === 2) {
                await post(via, '/api/v1/users.update', { userId: user._id, data: { active: false } });
                check = (seen) => seen?.active === false;
            } else {
                const before = (await userOn(via, user._id))?.lastLogin;
                await post(via, '/host/login', { userId: user._id });
                check = (seen) => !!seen?.lastLogin && seen.lastLogin !== before;
            }
            const targets = host.instances.map((_, n) => n).filter((n) => n !== via);
            for (;;) {
                const seen = await Promise.all(targets.map((n) => userOn(n, user._id)));
                if (seen.every(check)) break;
                if (Date.now() - sent > 10_000) throw new Error(`change ${i} (${kind}) not visible after 10 s`);
                await sleep(10);
            }
            latencies.push(Date.now() - sent);
        }
        latencies.sort((a, b) => a - b);

        // One rebuild period (30 s, longer than a crawl): from one new snapshot to the next.
        const snapshotOf = async () => (await call(`${base(0)}/directory.info`)).snapshot?.id;
        const nextSnapshot = async (after: string) => {
            while ((await snapshotOf()) === after) await sleep(200);
            return snapshotOf();
        };
        await post(0, `/api/apps/${host.appId}/settings`, { settings: [{ id: 'directory_max_age_minutes', value: 0.5 }] });
        const periodStart = await nextSnapshot(await snapshotOf());
        host.resetStats();
        started = Date.now();
        await nextSnapshot(periodStart);
        const rebuildMs = Date.now() - started;
        await post(0, `/api/apps/${host.appId}/settings`, { settings: [{ id: 'directory_max_age_minutes', value: 5 }] });
        const rebuildReads = host.stats().map((instance) => instance.userReads);

        // An instance restarted later loads the snapshot.
        const last = host.instance(INSTANCES);
        await last.stop();
        started = Date.now();
        await last.start();
        last.resetStats();
        await last.ready;
        const restartMs = Date.now() - started;
        const restart = last.stats();

        const results = {
            users: USERS,
            instances: INSTANCES,
            userReadUs: USER_READ_US,
            membershipsOfNonDirectRooms: memberships,
            ready: { ms: readyMs, userReadsPerInstance: startReads },
            propagation: { changes: CHANGES, medianMs: percentile(latencies, 50), p95Ms: percentile(latencies, 95), maxMs: latencies[latencies.length - 1] },
            rebuildPeriod: { ms: rebuildMs, userReadsPerInstance: rebuildReads },
            restart: { ms: restartMs, userReads: restart.userReads, persistenceCalls: restart.persistenceCalls },
        };
        fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
        fs.writeFileSync(path.join(root, 'bench', 'results', 'cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
        const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
        console.log(`| ${USERS.toLocaleString('en')} users, ${INSTANCES} instances${USER_READ_US ? `, ${USER_READ_US} µs per user read` : ''} | |`);
        console.log('| --- | ---: |');
        console.log(`| cluster ready (one crawl, the others load its snapshot) | ${(readyMs / 1000).toFixed(1)} s |`);
        console.log(`| server user reads to get ready, per instance | ${startReads.map((n) => n.toLocaleString('en')).join(' / ')} |`);
        console.log(
            `| propagation to every other instance, median / p95 / max (${CHANGES} changes) | ${percentile(latencies, 50)} / ${percentile(latencies, 95)} / ${latencies[latencies.length - 1]} ms |`,
        );
        console.log(
            `| server user reads per rebuild period (${(rebuildMs / 1000).toFixed(0)} s, rebuild age 30 s), whole cluster | ${sum(rebuildReads).toLocaleString('en')} (${rebuildReads.join(' / ')}) |`,
        );
        console.log(
            `| instance restarted later: ready after, user reads, persistence calls | ${(restartMs / 1000).toFixed(1)} s, ${restart.userReads}, ${restart.persistenceCalls} |`,
        );
    } finally {
        await host.stop();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
