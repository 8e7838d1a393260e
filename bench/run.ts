/**
 * npm run bench [-- --sizes 1000,10000,100000 --rounds 60 --idle-s 180]
 *
 * For each workspace size: installs the packaged app in the real engine host
 * and measures, over HTTP as a client sees it:
 * - the directory build (time, bridge calls, users the server read);
 * - a mixed workload of distinct requests, as people send them (type-ahead
 *   searches, random pages, varied filters and sorts, varied `query`
 *   documents), interleaved with the floor (`directory.info`, the engine's own
 *   round trip) in random order, round after round: median, p95 and the ratio
 *   of medians to the floor's, all from the same run;
 * - the Deno process's memory once built, after the workload, and after 15 s
 *   and every 15 s up to 3 minutes idle, or `--idle-s` (V8 gives memory back
 *   some time after it is garbage);
 * - the same workload (as many rounds, at most) while the safety net
 *   re-reads the whole workspace in the background (its interval and the
 *   pass period set to 20 s through the apps settings route), and the
 *   slowest floor request then: how long the app's loop was held at most.
 * Prints tables and writes bench/results/latest.json (and <size>.json per size).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

import { generateDemoWorkspace, prng, startHost } from '../host';
import type { Workspace } from '../host';
import { rssMb } from './memory';

const root = path.resolve(__dirname, '..');

function option(name: string, fallback: string): string {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const SIZES = option('sizes', '1000,10000,100000').split(',').map(Number);
const ROUNDS = Number(option('rounds', '60'));
const WARMUP_ROUNDS = 10;
const IDLE_MS = 15_000;
const LONG_IDLE_MS = Number(option('idle-s', '180')) * 1000;
/** The pass period and safety-net interval set for the re-read phase. */
const REBUILD_AGE_MS = 20_000;
const REBUILD_WAIT_LIMIT_MS = 15 * 60_000;
/** How long one safety net may take before the run gives up on it. */
const SAFETY_NET_LIMIT_MS = 90 * 60_000;
const BUILD_WAIT_LIMIT_MS = 30 * 60_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** A GET over the kept-alive socket; sent once more on a fresh one when the server had just closed it (a reset before any answer). */
async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    try {
        return await getOnce(url, headers);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
        return getOnce(url, headers);
    }
}

function getOnce(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        http.get(url, { agent, headers }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        }).on('error', reject);
    });
}

async function timedGet(url: string, headers: Record<string, string>): Promise<{ ms: number; body: string }> {
    const started = process.hrtime.bigint();
    const response = await get(url, headers);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200) {
        throw new Error(`${url} answered ${response.status}: ${response.body.slice(0, 300)}`);
    }
    return { ms, body: response.body };
}

function percentile(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

type Headers = Record<string, string>;
const ADMIN: Headers = { 'X-User-Id': 'admin', 'X-Auth-Token': 'admin-token' };
const USER: Headers = { 'X-User-Id': 'alice', 'X-Auth-Token': 'alice-token' };
const MANAGER: Headers = { 'X-User-Id': 'manager', 'X-Auth-Token': 'manager-token' };

const KINDS = ['floor', 'search', 'livechat', 'page', 'filters', 'query', 'query-dates'] as const;
type Kind = (typeof KINDS)[number];

const KIND_NAMES: Record<Kind, string> = {
    floor: 'directory.info (floor)',
    search: 'type-ahead users.listByStatus searchTerm',
    livechat: 'type-ahead livechat/users/agent text',
    page: 'users.list at a random offset',
    filters: 'listByStatus roles+status+sort, varied',
    query: 'users.list query: custom field + $regex, varied',
    'query-dates': 'users.list query: roles + lastLogin range, sorted',
};

/**
 * Requests as people send them, each different from every other in the run:
 * what they type into a search box (the first letters of a real name),
 * pages anywhere in the list, filters and sorts of their choice.
 */
function workload(workspace: Workspace, base: string, users: number) {
    const next = prng(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));
    const typed = () => {
        const user = pick(workspace.users);
        const text = (next() < 0.5 ? user.name : user.username) ?? user.username;
        const start = Math.floor(next() * Math.max(1, text.length - 4));
        return encodeURIComponent(text.slice(start, start + 2 + Math.floor(next() * 3)).toLowerCase());
    };
    const teams = [...new Set(workspace.users.map((user) => user.customFields?.team).filter((team): team is string => typeof team === 'string'))];
    const roles = ['user', 'admin', 'livechat-agent', 'livechat-manager', 'bot', 'guest', 'moderator'];
    const sorts = ['name', 'username', 'lastLogin', 'createdAt', 'status'];
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const day = 24 * 3600 * 1000;
    const makers: Record<Kind, () => [string, Headers]> = {
        floor: () => [`${base}/directory.info`, ADMIN],
        search: () => [`${base}/users.listByStatus?searchTerm=${typed()}`, pick([ADMIN, USER])],
        livechat: () => [`${base}/livechat/users/agent?text=${typed()}`, MANAGER],
        page: () => [`${base}/users.list?offset=${Math.floor(next() * users)}&count=50`, USER],
        filters: () => [
            `${base}/users.listByStatus?roles[]=${pick(roles)}${next() < 0.5 ? `&roles[]=${pick(roles)}` : ''}&status=${pick(['active', 'deactivated'])}&sort=${q({ [pick(sorts)]: pick([1, -1]) })}&offset=${Math.floor(next() * 3) * 50}`,
            ADMIN,
        ],
        query: () => [
            `${base}/users.list?query=${q({ [`customFields.${pick(['team', 'clearance'])}`]: next() < 0.5 ? pick(teams) : pick(['High', 'Low']), name: { $regex: pick([...letters]) + pick([...letters]), $options: pick(['i', '']) } })}&fields=${q({ customFields: 1 })}`,
            ADMIN,
        ],
        'query-dates': () => [
            `${base}/users.list?query=${q({ roles: { $in: [pick(roles)] }, lastLogin: { $gte: new Date(Date.parse('2025-06-01') - Math.floor(next() * 1500) * day).toISOString() } })}&sort=${q({ lastLogin: pick([1, -1]) })}`,
            ADMIN,
        ],
    };
    const used = new Set<string>();
    /** One round: one request of each kind, in random order; none sent before (the floor excepted). */
    return (): Array<{ kind: Kind; url: string; headers: Headers }> => {
        const round = KINDS.map((kind) => {
            let [url, headers] = makers[kind]();
            for (let attempt = 0; kind !== 'floor' && used.has(url) && attempt < 100; attempt++) {
                [url, headers] = makers[kind]();
            }
            used.add(url);
            return { kind, url, headers };
        });
        for (let i = round.length - 1; i > 0; i--) {
            const j = Math.floor(next() * (i + 1));
            [round[i], round[j]] = [round[j], round[i]];
        }
        return round;
    };
}

function findZip(): string {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.js')], { stdio: 'inherit' });
    const dist = path.join(root, 'dist');
    const zip = fs.readdirSync(dist).find((name) => name.endsWith('.zip'));
    if (!zip) throw new Error('no app zip in dist/');
    return path.join(dist, zip);
}

interface Stats {
    n: number;
    median: number;
    p95: number;
    max: number;
    ratio: number;
}

function summarize(samples: Record<Kind, number[]>): Record<Kind, Stats> {
    const floor = percentile(samples.floor, 50);
    return Object.fromEntries(
        KINDS.map((kind) => {
            const times = samples[kind];
            const median = percentile(times, 50);
            return [kind, { n: times.length, median, p95: percentile(times, 95), max: Math.max(...times), ratio: median / floor }];
        }),
    ) as Record<Kind, Stats>;
}

const emptySamples = () => Object.fromEntries(KINDS.map((kind) => [kind, [] as number[]])) as unknown as Record<Kind, number[]>;

/** The upkeep's pass period and safety-net interval, through Rocket.Chat's apps settings route, as an admin would. */
async function setUpkeepEvery(url: string, appId: string, ms: number): Promise<void> {
    const settings = [
        { id: 'directory_max_age_minutes', value: ms / 60_000 },
        { id: 'directory_full_reread_hours', value: ms / 3_600_000 },
    ];
    const response = await fetch(`${url}/api/apps/${appId}/settings`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ settings }),
    });
    if (response.status !== 200) throw new Error(`settings: ${response.status} ${await response.text()}`);
}

async function benchSize(zipPath: string, size: number) {
    const workspace = generateDemoWorkspace({ users: size, seed: 42 });
    const installStarted = Date.now();
    const host = await startHost({ zipPath, workspace, port: 0, log: () => undefined });
    const base = `${host.url}/api/apps/public/${host.appId}`;
    // A call to the app is cut off after 30 s; a longer first build goes on, and is waited for here.
    await host.ready.catch(() => undefined);
    let info = { ready: false } as Record<string, any>;
    for (const started = Date.now(); !info.ready && Date.now() - started < BUILD_WAIT_LIMIT_MS;) {
        const response = await get(`${base}/directory.info`, ADMIN);
        if (response.status === 200) info = JSON.parse(response.body);
    }
    if (!info.ready) throw new Error(`no directory after ${BUILD_WAIT_LIMIT_MS / 60_000} minutes`);
    const readyMs = Date.now() - installStarted;
    // The first base is written once the directory serves: the usual workload starts when that is done.
    while (info.building || info.loading || info.passing) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        info = JSON.parse((await get(`${base}/directory.info`, ADMIN)).body);
    }
    const settledMs = Date.now() - installStarted;
    const rssAfterBuildMb = rssMb(host.denoPid());
    const nextRound = workload(workspace, base, info.users);

    for (let round = 0; round < WARMUP_ROUNDS; round++) {
        for (const request of nextRound()) await timedGet(request.url, request.headers);
    }
    const samples = emptySamples();
    for (let round = 0; round < ROUNDS; round++) {
        for (const request of nextRound()) samples[request.kind].push((await timedGet(request.url, request.headers)).ms);
    }
    const latency = summarize(samples);
    const rssAfterWorkloadMb = rssMb(host.denoPid());
    // V8 gives memory back to the system some time after the garbage is collected.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const rssIdleMb = rssMb(host.denoPid());

    // Sampled on the way: how the memory comes down, and whether it has stopped.
    const rssIdleTraceMb: Array<number | null> = [rssIdleMb];
    for (let waited = IDLE_MS; waited < LONG_IDLE_MS; waited += IDLE_MS) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
        rssIdleTraceMb.push(rssMb(host.denoPid()));
    }
    const rssLongIdleMb = rssIdleTraceMb[rssIdleTraceMb.length - 1];

    // A cheap pass under way (at a million users one lasts minutes) ends first: what runs next, past the new interval, is the safety net.
    const readInfo = async () => JSON.parse((await get(`${base}/directory.info`, ADMIN)).body);
    let before = await readInfo();
    while (before.passing) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        before = await readInfo();
    }
    const lastPass = before.upkeep.lastPass;
    // The safety net starts with the next job past its interval; the workload runs while it lasts.
    await setUpkeepEvery(host.url, host.appId, REBUILD_AGE_MS);
    const waitStarted = Date.now();
    let building = false;
    while (!building && Date.now() - waitStarted < REBUILD_WAIT_LIMIT_MS) {
        building = (await readInfo()).passing;
        if (!building) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // As many rounds as measured before; then the re-read is left to finish alone (a big one would crawl on, starved, for long).
    const duringRebuild = emptySamples();
    for (let round = 0; building && round < ROUNDS; round++) {
        for (const request of nextRound()) {
            const { ms, body } = await timedGet(request.url, request.headers);
            duringRebuild[request.kind].push(ms);
            if (request.kind === 'floor') building = JSON.parse(body).passing;
        }
    }
    // Waited for by its report: with 20 s periods, jobs follow each other back to back and `passing` seldom drops between them.
    let rebuild = (await readInfo()).upkeep.lastFull;
    while (rebuild?.at === before.upkeep.lastFull?.at && Date.now() - waitStarted < REBUILD_WAIT_LIMIT_MS + SAFETY_NET_LIMIT_MS) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        rebuild = (await readInfo()).upkeep.lastFull;
    }
    if (rebuild?.at === before.upkeep.lastFull?.at) throw new Error('the safety net did not end in time: the re-read measured would be the first build');
    const rssAfterRebuildMb = rssMb(host.denoPid());
    await host.stop();
    return {
        users: size,
        usersHeld: info.users,
        rooms: workspace.rooms.length,
        readyMs,
        settledMs,
        rssAfterBuildMb,
        build: info.lastBuild,
        lastPass,
        rebuild,
        rssAfterWorkloadMb,
        rssIdleMb,
        rssLongIdleMb,
        rssIdleTraceMb,
        rssAfterRebuildMb,
        latencyMs: latency,
        duringRebuildMs: summarize(duringRebuild),
    };
}

type Result = Awaited<ReturnType<typeof benchSize>>;

function print(result: Result): void {
    const build = result.build ?? {};
    console.log(
        `\n${result.users.toLocaleString('en')} users (${result.rooms} rooms): ready in ${result.readyMs} ms, first base written at ${result.settledMs} ms; directory built in ${build.durationMs} ms, ${build.bridgeCalls} bridge calls, ${build.userReads} user reads, loop held at most ${build.loopHeldMs} ms; ` +
            `Deno RSS ${result.rssAfterBuildMb} MB once built (before any request), ${result.rssAfterWorkloadMb} MB after the workload, ${result.rssIdleMb} MB after ${IDLE_MS / 1000} s idle, ${result.rssLongIdleMb} MB after ${LONG_IDLE_MS / 1000} s idle (every ${IDLE_MS / 1000} s: ${result.rssIdleTraceMb.join(', ')}); ` +
            `the last cheap pass before it took ${result.lastPass?.durationMs ?? '—'} ms; ` +
            `safety net re-read in ${result.rebuild?.durationMs} ms, loop held at most ${result.rebuild?.loopHeldMs} ms, ${result.rssAfterRebuildMb} MB right after`,
    );
    console.log('| request | median ms | p95 ms | median / floor | during rebuild: median ms (n) | × usual median |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const kind of KINDS) {
        const usual = result.latencyMs[kind];
        const rebuilding = result.duringRebuildMs[kind];
        console.log(
            `| ${KIND_NAMES[kind]} | ${usual.median.toFixed(2)} | ${usual.p95.toFixed(2)} | ${usual.ratio.toFixed(1)}× | ${rebuilding.n ? `${rebuilding.median.toFixed(2)} (${rebuilding.n})` : '–'} | ${rebuilding.n ? `${(rebuilding.median / usual.median).toFixed(1)}×` : '–'} |`,
        );
    }
    const floor = result.duringRebuildMs.floor;
    if (floor.n)
        console.log(
            `Slowest floor request during the re-read: ${floor.max.toFixed(1)} ms (the host's own work included: it encodes each room's members in this same process)`,
        );
}

async function main() {
    const zipPath = findZip();
    const report = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, rounds: ROUNDS, sizes: [] as Result[] };
    const results = path.join(root, 'bench', 'results');
    fs.mkdirSync(results, { recursive: true });
    for (const size of SIZES) {
        const result = await benchSize(zipPath, size);
        report.sizes.push(result);
        print(result);
        // Each size on its own too, so that a size run alone (--sizes 1000000) keeps the others' figures.
        fs.writeFileSync(path.join(results, `${size}.json`), `${JSON.stringify({ ...report, sizes: [result] }, null, 2)}\n`);
    }
    fs.writeFileSync(path.join(results, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWritten bench/results/latest.json and one file per size`);
    agent.destroy();
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
