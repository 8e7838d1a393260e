/**
 * npm run bench:cluster [-- --users 100000 --instances 3 --window 10m --grace 60s --user-read-us 0 --watch-passes]
 *
 * The cost of keeping the app's directory fresh on a cluster of Rocket.Chat
 * instances over one shared store, at the app's default settings:
 *
 * 1. the cluster starts (with `--data` in a temporary directory) and gets ready;
 * 2. an idle window: nothing changes; what the server and app persistence paid;
 * 3. a window with one change a second, each through the next instance, mixed:
 *    renames, status changes, logins, creations, deletions, deactivations and
 *    reactivations through users.update and through users.setActiveStatus
 *    (of users with a direct room: without one, only the daily safety net
 *    sees it), room joins (channels.invite) and leaves (channels.kick); the same figures,
 *    and for each kind how long until every instance answers with the change
 *    (polled every 100 ms for 3 s, then every second, until the window ends
 *    plus `--grace`); with `--watch-passes`, when each instance ran the pass,
 *    and which slow changes it explains;
 * 4. the whole cluster stopped (the store written to the data directory) and
 *    started again over it: what that restart costs.
 *
 * A window shorter than an hour is scaled to an hour (the output says by how
 * much); a window shorter than the app's rebuild period (5 minutes by
 * default) samples it by chance. Prints tables and writes
 * bench/results/upkeep-<users>-<window>s.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { generateDemoWorkspace, InstanceStats, prng, RunningHost, startHost, Workspace, WorkspaceUser } from '../host';
import { rssMb } from './memory';

function option(name: string, fallback: string): string {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

/** "90", "90s", "2m", "1h" → seconds. */
function seconds(text: string): number {
    const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(text.trim());
    if (!m) throw new Error(`Not a duration: "${text}" (e.g. 90s, 2m, 1h)`);
    return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}

const USERS = Number(option('users', '100000'));
const INSTANCES = Number(option('instances', '3'));
const WINDOW_S = seconds(option('window', '10m'));
const GRACE_S = seconds(option('grace', '60s'));
const USER_READ_US = Number(option('user-read-us', '0'));
/** Asks every instance each second whether it runs the pass (costs a request each: off unless asked). */
const WATCH_PASSES = process.argv.includes('--watch-passes');
const PER_HOUR = 3600 / WINDOW_S;
const root = path.resolve(__dirname, '..');
const ADMIN = { 'X-User-Id': 'admin', 'X-Auth-Token': 'admin-token' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : undefined);
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;

interface Answer {
    status: number;
    body: any;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(url, { ...init, headers: { ...ADMIN, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
    return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** What the cluster paid over a window, summed over the instances. */
function cost(stats: InstanceStats[]) {
    const sum = (pick: (s: InstanceStats) => number) => stats.reduce((total, s) => total + pick(s), 0);
    return {
        userReads: sum((s) => s.userReads),
        roomReads: sum((s) => s.roomReads),
        getMembers: sum((s) => s.calls['RoomBridge.getMembers'] ?? 0),
        persistenceWrites: sum((s) => s.persistence.writes),
        persistenceWrittenBytes: sum((s) => s.persistence.writtenBytes),
        persistenceReads: sum((s) => s.persistence.reads),
        persistenceReadBytes: sum((s) => s.persistence.readBytes),
        persistenceRemoves: sum((s) => s.persistence.removes),
        recordsKept: stats[0].persistence.records,
        bytesKept: stats[0].persistence.bytes,
    };
}
type Cost = ReturnType<typeof cost>;

const KINDS = [
    'rename',
    'status',
    'login',
    'create',
    'deactivate (users.update)',
    'room join',
    'reactivate (users.update)',
    'deactivate (setActiveStatus), direct room',
    'room leave',
    'delete',
    'reactivate (setActiveStatus), direct room',
    'status text',
] as const;
type Kind = (typeof KINDS)[number];

interface Change {
    kind: Kind;
    /** The user whose row shows it, and how to tell; none for membership, which the directory does not show. */
    userId?: string;
    shows?: (row: any) => boolean;
    /** A reactivation whose deactivation had not shown yet cannot be timed (the row never changed). */
    untimable?: boolean;
}

/** Users a change may touch: active, ordinary, owning no room (so deactivation is never refused), able to log in. */
function candidates(workspace: Workspace): WorkspaceUser[] {
    const owners = new Set(workspace.rooms.flatMap((room) => room.owners ?? []));
    return workspace.users.filter(
        (u) => u.active !== false && u.type === 'user' && u.authToken && !u.roles?.includes('admin') && !owners.has(u._id) && !u.federated,
    );
}

async function main(): Promise<void> {
    const zip = path.join(
        root,
        'dist',
        fs.readdirSync(path.join(root, 'dist')).find((name) => name.endsWith('.zip'))!,
    );
    const workspace = generateDemoWorkspace({ users: USERS });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-data-'));
    const start = () => startHost({ zipPath: zip, workspace, port: 0, instances: INSTANCES, userReadUs: USER_READ_US, dataDir });
    const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

    let started = Date.now();
    let host: RunningHost = await start();
    await host.ready;
    const ready = { ms: Date.now() - started, ...cost(host.stats()) };
    log(`ready in ${ready.ms} ms`);
    const url = (n: number) => host.instances[n % INSTANCES].url;
    const post = (n: number, route: string, body: unknown) => call(`${url(n)}${route}`, { method: 'POST', body: JSON.stringify(body) });
    const rowOn = async (n: number, query: object) => {
        const fields = encodeURIComponent('{"name":1,"status":1,"statusText":1,"active":1,"lastLogin":1,"username":1}');
        const answer = await call(`${url(n)}/api/apps/public/${host.appId}/users.list?query=${encodeURIComponent(JSON.stringify(query))}&fields=${fields}`);
        return answer.body?.users?.[0];
    };

    try {
        // 2. Idle.
        host.resetStats();
        log(`idle window: ${WINDOW_S} s`);
        await sleep(WINDOW_S * 1000);
        const idle = cost(host.stats());
        const rssIdleMb = host.instances.map((instance) => rssMb(instance.denoPid()));

        // 3. One change a second.
        const pool = candidates(workspace);
        const next = prng(11);
        // Shuffled once, then taken in turn (a user comes round again after the whole pool).
        for (let i = pool.length - 1; i > 0; i--) {
            const j = Math.floor(next() * (i + 1));
            [pool[i], pool[j]] = [pool[j], pool[i]];
        }
        let cursor = 0;
        const deactivated = new Set<string>();
        // users.setActiveStatus sends no event: the pass sees it only through the user's direct rooms turning read-only (or
        // writable again), so it is timed for users with one; a user without one waits for the safety net (a day).
        const inDirectRoom = new Set(workspace.rooms.filter((room) => room.t === 'd').flatMap((room) => room.members));
        const take = (withDirectRoom = false) => {
            for (let tries = 0; tries < pool.length; tries++) {
                const user = pool[cursor++ % pool.length];
                if (!deactivated.has(user._id) && (!withDirectRoom || inDirectRoom.has(user._id))) return user;
            }
            throw new Error('no active user left to change');
        };
        // Deactivations stay (a reactivation 3 s later would hide one that only a rebuild shows); reactivations are of users inactive from the start.
        const inactive = workspace.users.filter((u) => u.active === false && u.type === 'user' && !u.federated);
        const takeInactive = (withDirectRoom = false) => {
            const at = inactive.findIndex((user) => !withDirectRoom || inDirectRoom.has(user._id));
            if (at === -1) throw new Error('no inactive user left to reactivate');
            return inactive.splice(at, 1)[0]._id;
        };
        const teams = workspace.rooms.filter((room) => room.t === 'c' && room._id.startsWith('team-'));
        let created: string | undefined;
        let joined: { room: string; user: string } | undefined;
        /** Users whose deactivation every instance has shown. */
        const shownInactive = new Set<string>(inactive.map((u) => u._id));
        const makeChange = async (i: number, via: number): Promise<Change> => {
            const kind = KINDS[i % KINDS.length];
            const ok = (answer: Answer) => {
                if (answer.status !== 200) throw new Error(`${kind}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
                return answer.body;
            };
            switch (kind) {
                case 'rename': {
                    const user = take();
                    const name = `Renamed ${i}`;
                    ok(await post(via, '/api/v1/users.update', { userId: user._id, data: { name } }));
                    return { kind, userId: user._id, shows: (row) => row?.name === name };
                }
                case 'status':
                case 'status text': {
                    const user = take();
                    const message = `status ${i}`;
                    ok(await post(via, '/api/v1/users.setStatus', { userId: user._id, status: kind === 'status' ? 'busy' : 'online', message }));
                    return { kind, userId: user._id, shows: (row) => row?.statusText === message };
                }
                case 'login': {
                    const user = take();
                    const before = (await rowOn(via, { _id: user._id }))?.lastLogin;
                    ok(await post(via, '/host/login', { userId: user._id }));
                    return { kind, userId: user._id, shows: (row) => !!row?.lastLogin && row.lastLogin !== before };
                }
                case 'create': {
                    const username = `bench-${i}-${Date.now()}`;
                    const body = ok(await post(via, '/api/v1/users.create', { email: `${username}@example.com`, name: username, password: 'x', username }));
                    created = body.user._id;
                    return { kind, userId: created, shows: (row) => row?.username === username };
                }
                case 'delete': {
                    const userId = created;
                    if (!userId) throw new Error('no user created in this run left to delete');
                    created = undefined;
                    ok(await post(via, '/api/v1/users.delete', { userId }));
                    return { kind, userId, shows: (row) => row === undefined };
                }
                case 'deactivate (users.update)': {
                    const userId = take()._id;
                    deactivated.add(userId);
                    ok(await post(via, '/api/v1/users.update', { userId, data: { active: false } }));
                    return { kind, userId, shows: (row) => row?.active === false };
                }
                case 'reactivate (users.update)': {
                    const userId = takeInactive();
                    ok(await post(via, '/api/v1/users.update', { userId, data: { active: true } }));
                    return { kind, userId, shows: (row) => row?.active === true, untimable: !shownInactive.has(userId) };
                }
                case 'deactivate (setActiveStatus), direct room': {
                    const userId = take(true)._id;
                    deactivated.add(userId);
                    ok(await post(via, '/api/v1/users.setActiveStatus', { userId, activeStatus: false }));
                    return { kind, userId, shows: (row) => row?.active === false };
                }
                case 'reactivate (setActiveStatus), direct room': {
                    const userId = takeInactive(true);
                    ok(await post(via, '/api/v1/users.setActiveStatus', { userId, activeStatus: true }));
                    return { kind, userId, shows: (row) => row?.active === true, untimable: !shownInactive.has(userId) };
                }
                case 'room join': {
                    const room = teams[Math.floor(next() * teams.length)];
                    let user = take();
                    for (let tries = 0; room.members.includes(user._id) && tries < 50; tries++) user = take();
                    ok(await post(via, '/api/v1/channels.invite', { roomId: room._id, userId: user._id }));
                    joined = { room: room._id, user: user._id };
                    return { kind };
                }
                case 'room leave': {
                    const { room, user } = joined!;
                    ok(await post(via, '/api/v1/channels.kick', { roomId: room, userId: user }));
                    return { kind };
                }
            }
        };

        /** Ms until each instance answered with the change (undefined for one that had not by `deadline`). */
        const visibleOn = async (change: Change, sent: number, deadline: number): Promise<Array<number | undefined>> => {
            const shownAfter: Array<number | undefined> = host.instances.map(() => undefined);
            if (!change.userId || !change.shows || change.untimable) return shownAfter;
            const waiting = new Set(host.instances.map((_, n) => n));
            while (Date.now() < deadline && waiting.size) {
                for (const n of [...waiting]) {
                    const row = await rowOn(n, { _id: change.userId }).catch(() => null);
                    if (row !== null && change.shows(row)) {
                        waiting.delete(n);
                        shownAfter[n] = Date.now() - sent;
                    }
                }
                if (waiting.size) await sleep(Date.now() - sent < 3000 ? 100 : 1000);
            }
            if (!waiting.size && change.kind.startsWith('deactivate')) shownInactive.add(change.userId);
            return shownAfter;
        };

        host.resetStats();
        log(`window with one change a second: ${WINDOW_S} s, then up to ${GRACE_S} s more to see them`);
        const windowStart = Date.now();
        /** When an instance was running the pass or the safety net, seen by asking each instance every second. */
        const passes: Array<{ instance: number; fromS: number; toS: number }> = [];
        let watchingPasses = WATCH_PASSES;
        const watchPasses = (async () => {
            const open: Array<number | undefined> = host.instances.map(() => undefined);
            while (watchingPasses) {
                const at = (Date.now() - windowStart) / 1000;
                await Promise.all(
                    host.instances.map(async (instance, n) => {
                        const info = (await call(`${instance.url}/api/apps/public/${host.appId}/directory.info`).catch(() => undefined))?.body;
                        if (info?.passing && open[n] === undefined) open[n] = at;
                        if (info && !info.passing && open[n] !== undefined) {
                            passes.push({ instance: n, fromS: open[n], toS: at });
                            open[n] = undefined;
                        }
                    }),
                );
                await sleep(1000);
            }
        })();
        const deadline = windowStart + (WINDOW_S + GRACE_S) * 1000;
        const failures: string[] = [];
        const watches: Array<
            Promise<{ kind: Kind; via: number; sentS: number; ms?: number; perInstanceMs: Array<number | undefined>; shown: boolean; untimable: boolean }>
        > = [];
        for (let i = 0; Date.now() - windowStart < WINDOW_S * 1000; i++) {
            await sleep(Math.max(0, windowStart + i * 1000 - Date.now()));
            if (Date.now() - windowStart >= WINDOW_S * 1000) break;
            const sent = Date.now();
            let change: Change;
            try {
                change = await makeChange(i, i % INSTANCES);
            } catch (e) {
                failures.push(`change ${i}: ${(e as Error)?.message ?? e}`);
                log(failures[failures.length - 1]);
                continue;
            }
            const via = i % INSTANCES;
            watches.push(
                visibleOn(change, sent, deadline).then((perInstanceMs) => ({
                    kind: change.kind,
                    via,
                    sentS: (sent - windowStart) / 1000,
                    ms: perInstanceMs.some((ms) => ms === undefined) ? undefined : Math.max(...(perInstanceMs as number[])),
                    perInstanceMs,
                    shown: !!change.shows,
                    untimable: !!change.untimable,
                })),
            );
        }
        const busy = cost(host.stats());
        const seen = await Promise.all(watches);
        watchingPasses = false;
        await watchPasses;
        // Each instance's slowest look at the store meanwhile (directory.info keeps the worst of the last hour).
        const rssAfterChangesMb = host.instances.map((instance) => rssMb(instance.denoPid()));
        const polls = await Promise.all(
            host.instances.map(async (instance) => (await call(`${instance.url}/api/apps/public/${host.appId}/directory.info`)).body?.polls),
        );
        const latency = KINDS.map((kind) => {
            const mine = seen.filter((s) => s.kind === kind);
            const times = mine
                .map((s) => s.ms)
                .filter((ms): ms is number => ms !== undefined)
                .sort((a, b) => a - b);
            return {
                kind,
                made: mine.length,
                seen: mine[0]?.shown === false ? undefined : times.length,
                untimable: mine.filter((s) => s.untimable).length,
                p50Ms: percentile(times, 50),
                p95Ms: percentile(times, 95),
            };
        });

        // 4. The whole cluster restarted over its data directory.
        started = Date.now();
        await host.stop();
        const stopMs = Date.now() - started;
        const fileBytes = fs.statSync(path.join(dataDir, 'store.json')).size;
        started = Date.now();
        host = await start();
        await host.ready;
        const restart = { stopMs, fileBytes, readyMs: Date.now() - started, ...cost(host.stats()) };

        const results = {
            failures,
            users: USERS,
            instances: INSTANCES,
            userReadUs: USER_READ_US,
            windowSeconds: WINDOW_S,
            graceSeconds: GRACE_S,
            perHourFactor: PER_HOUR,
            ready,
            idle,
            busy,
            latency,
            rssIdleMb,
            rssAfterChangesMb,
            /** Every timed change, and when instances ran the pass: the slow ones explained. */
            samples: seen.filter((s) => s.ms !== undefined),
            passes,
            polls,
            restart,
        };
        fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
        const out = path.join(root, 'bench', 'results', `upkeep-${USERS}-${WINDOW_S}s.json`);
        fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

        const hourly = (c: Cost, pick: (c: Cost) => number, unit: (n: number) => string = fmt) => unit(pick(c) * PER_HOUR);
        const lines = [
            `Cost of upkeep: ${fmt(USERS)} users, ${INSTANCES} instances, default settings${USER_READ_US ? `, ${USER_READ_US} µs per user read` : ''}.`,
            `Windows of ${WINDOW_S} s, scaled ×${PER_HOUR.toFixed(PER_HOUR % 1 ? 1 : 0)} to an hour${WINDOW_S < 300 ? ' (shorter than the 5-minute rebuild period: a rebuild falls in it or not by chance)' : ''}.`,
            '',
            '| per hour, whole cluster | idle | 1 change/s |',
            '| --- | ---: | ---: |',
            `| server user reads | ${hourly(idle, (c) => c.userReads)} | ${hourly(busy, (c) => c.userReads)} |`,
            `| getMembers calls | ${hourly(idle, (c) => c.getMembers)} | ${hourly(busy, (c) => c.getMembers)} |`,
            `| room documents walked to list rooms | ${hourly(idle, (c) => c.roomReads)} | ${hourly(busy, (c) => c.roomReads)} |`,
            `| persistence written | ${hourly(idle, (c) => c.persistenceWrittenBytes, mb)} (${hourly(idle, (c) => c.persistenceWrites)} records) | ${hourly(busy, (c) => c.persistenceWrittenBytes, mb)} (${hourly(busy, (c) => c.persistenceWrites)} records) |`,
            `| persistence read | ${hourly(idle, (c) => c.persistenceReadBytes, mb)} (${hourly(idle, (c) => c.persistenceReads)} records) | ${hourly(busy, (c) => c.persistenceReadBytes, mb)} (${hourly(busy, (c) => c.persistenceReads)} records) |`,
            `| Deno RSS of each instance at the window's end | ${rssIdleMb.join(' / ')} MB | ${rssAfterChangesMb.join(' / ')} MB (after the grace too) |`,
            `| records kept at the window's end | ${fmt(idle.recordsKept)} (${mb(idle.bytesKept)}) | ${fmt(busy.recordsKept)} (${mb(busy.bytesKept)}) |`,
            '',
            `| change (1 a second, mixed), visible on every instance | made | seen within the window + ${GRACE_S} s | p50 | p95 |`,
            '| --- | ---: | ---: | ---: | ---: |',
            ...latency.map(
                (l) =>
                    `| ${l.kind} | ${l.made} | ${l.seen === undefined ? 'not shown by the directory' : `${l.seen}${l.untimable ? ` (${l.untimable} not timed: not shown inactive before)` : ''}`} | ${l.p50Ms === undefined ? '—' : `${(l.p50Ms / 1000).toFixed(2)} s`} | ${l.p95Ms === undefined ? '—' : `${(l.p95Ms / 1000).toFixed(2)} s`} |`,
            ),
            '',
            WATCH_PASSES &&
                `Passes and safety nets seen (instance: seconds into the window): ${passes.map((p) => `${p.instance}: ${p.fromS.toFixed(0)}–${p.toS.toFixed(0)}`).join(', ') || 'none'}.`,
            ...slowChanges(seen, passes, windowStart),
            `Slowest looks at the store, per instance (longest gap between two looks, longest look): ${polls.map((p, n) => `${n}: ${p?.longestGapMs} ms at ${p?.longestGapAt?.slice(11, 19)}, ${p?.longestLookMs} ms`).join('; ')}.`,
            '',
            '| the cluster | |',
            '| --- | ---: |',
            `| first start: ready after, server user reads, getMembers calls, persistence written | ${(ready.ms / 1000).toFixed(1)} s, ${fmt(ready.userReads)}, ${fmt(ready.getMembers)}, ${mb(ready.persistenceWrittenBytes)} |`,
            `| stopped (the store written to --data: ${mb(fileBytes)}) | ${(stopMs / 1000).toFixed(1)} s |`,
            `| restarted over --data: ready after | ${(restart.readyMs / 1000).toFixed(1)} s |`,
            `| restart: server user reads, getMembers calls | ${fmt(restart.userReads)}, ${fmt(restart.getMembers)} |`,
            `| restart: persistence read, written | ${mb(restart.persistenceReadBytes)}, ${mb(restart.persistenceWrittenBytes)} |`,
            '',
            ...(failures.length ? ['', `${failures.length} changes failed:`, ...failures.map((f) => `- ${f}`)] : []),
            `Written to ${path.relative(process.cwd(), out)}.`,
        ];
        console.log(lines.filter((line) => line !== false).join('\n'));
    } finally {
        await host.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
    }
}

/** Changes with an event that took more than a second, and the pass running meanwhile if one was. */
function slowChanges(
    seen: Array<{ kind: Kind; via: number; sentS: number; ms?: number; perInstanceMs: Array<number | undefined> }>,
    passes: Array<{ instance: number; fromS: number; toS: number }>,
    windowStart: number,
): string[] {
    const slow = seen.filter((s) => s.ms !== undefined && s.ms > 1000 && !s.kind.includes('setActiveStatus'));
    return slow.map((s) => {
        const during = passes.filter((p) => p.fromS - 1 <= s.sentS + s.ms! / 1000 && s.sentS <= p.toS + 1);
        const where = during.length ? `, during the pass on instance ${during.map((p) => p.instance).join(' and ')}` : '';
        return `- slow: ${s.kind} through instance ${s.via} at ${s.sentS.toFixed(0)} s (${new Date(windowStart + s.sentS * 1000).toISOString().slice(11, 19)}): ${s.perInstanceMs.map((ms) => ms ?? '—').join(' / ')} ms on the instances${where}`;
    });
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
