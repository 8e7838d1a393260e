/**
 * npm run bench [-- --sizes 1000,10000,100000 --requests 200]
 *
 * For each workspace size: installs the packaged app in the real engine host,
 * measures the directory build (time, bridge calls), the Deno process's
 * memory, and the latency of typical requests over HTTP as a client sees it,
 * each also as a ratio to the cheapest endpoint (the engine's own floor).
 * Prints a table and writes bench/results/latest.json.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

import { generateDemoWorkspace, startHost } from '../host';

const root = path.resolve(__dirname, '..');

function option(name: string, fallback: string): string {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const SIZES = option('sizes', '1000,10000,100000').split(',').map(Number);
const REQUESTS = Number(option('requests', '200'));
const WARMUP = 20;
const IDLE_MS = 15_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        http.get(url, { agent, headers }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        }).on('error', reject);
    });
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(url: string, headers: Record<string, string>): Promise<{ median: number; p95: number; first: number }> {
    const started = process.hrtime.bigint();
    const first = await get(url, headers);
    const firstMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (first.status !== 200) {
        throw new Error(`${url} answered ${first.status}: ${first.body.slice(0, 300)}`);
    }
    for (let i = 0; i < WARMUP; i++) {
        await get(url, headers);
    }
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
        const start = process.hrtime.bigint();
        await get(url, headers);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    return { median: percentile(times, 50), p95: percentile(times, 95), first: firstMs };
}

function rssMb(pid: number | undefined): number | null {
    if (!pid) return null;
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        const match = /VmRSS:\s+(\d+) kB/.exec(status);
        return match ? Math.round(Number(match[1]) / 1024) : null;
    } catch {
        return null;
    }
}

function findZip(): string {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.js')], { stdio: 'inherit' });
    const dist = path.join(root, 'dist');
    const zip = fs.readdirSync(dist).find((name) => name.endsWith('.zip'));
    if (!zip) throw new Error('no app zip in dist/');
    return path.join(dist, zip);
}

async function benchSize(zipPath: string, size: number) {
    const workspace = generateDemoWorkspace({ users: size, seed: 42 });
    const installStarted = Date.now();
    const host = await startHost({ zipPath, workspace, port: 0, log: () => undefined });
    await host.ready;
    const readyMs = Date.now() - installStarted;
    const roomBridgeCalls = Object.entries(host.bridgeCalls())
        .filter(([name]) => /getMembers|getAllRooms|getAppUser/i.test(name))
        .reduce((sum, [, count]) => sum + count, 0);

    const admin = { 'X-User-Id': 'admin', 'X-Auth-Token': 'admin-token' };
    const user = { 'X-User-Id': 'alice', 'X-Auth-Token': 'alice-token' };
    const base = `${host.url}/api/apps/public/${host.appId}`;
    const info = JSON.parse((await get(`${base}/directory.info`, admin)).body);
    const q = (value: unknown) => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));

    const scenarios: Array<[string, string, Record<string, string>]> = [
        ['a. directory.info (floor)', `${base}/directory.info`, admin],
        ['b. users.list default page', `${base}/users.list`, user],
        ['c. listByStatus search+roles+status+sort', `${base}/users.listByStatus?searchTerm=an&roles[]=user&status=active&sort=${q({ name: 1 })}`, admin],
        ['d. users.list $regex (docs example)', `${base}/users.list?query=${q({ name: { $regex: 'g' } })}`, admin],
        ['d2. users.list $regex (RE2 pattern)', `${base}/users.list?query=${q({ username: { $regex: '^u.*7$' } })}`, admin],
        ['e. livechat/users/agent text', `${base}/livechat/users/agent?text=a`, admin],
        ['f. users.list deep page', `${base}/users.list?offset=${Math.max(0, info.users - 50)}&count=50`, user],
    ];
    const results: Record<string, { median: number; p95: number; first: number; ratio: number }> = {};
    let floor = 0;
    for (const [name, url, headers] of scenarios) {
        const timing = await measure(url, headers);
        floor ||= timing.median;
        results[name] = { ...timing, ratio: timing.median / floor };
    }
    const memoryMb = rssMb(host.denoPid());
    // V8 gives memory back to the system some time after the build's garbage is collected.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleMemoryMb = rssMb(host.denoPid());
    await host.stop();
    return {
        users: size,
        usersHeld: info.users,
        rooms: workspace.rooms.length,
        readyMs,
        build: info.lastBuild,
        hostRoomBridgeCalls: roomBridgeCalls,
        denoRssMb: memoryMb,
        denoRssAfterIdleMb: idleMemoryMb,
        latencyMs: results,
    };
}

async function main() {
    const zipPath = findZip();
    const report = { date: new Date().toISOString(), node: process.version, cpus: require('os').cpus().length, requests: REQUESTS, sizes: [] as unknown[] };
    for (const size of SIZES) {
        const result = await benchSize(zipPath, size);
        report.sizes.push(result);
        console.log(`\n${size.toLocaleString('en')} users (${result.rooms} rooms): ready in ${result.readyMs} ms; directory built in ${result.build?.durationMs} ms with ${result.build?.bridgeCalls} bridge calls (${result.build?.rooms} rooms); Deno RSS ${result.denoRssMb} MB (${result.denoRssAfterIdleMb} MB after ${IDLE_MS / 1000} s idle)`);
        console.log('| request | median ms | p95 ms | first ms | median / floor |');
        console.log('| --- | ---: | ---: | ---: | ---: |');
        for (const [name, timing] of Object.entries(result.latencyMs)) {
            console.log(`| ${name} | ${timing.median.toFixed(2)} | ${timing.p95.toFixed(2)} | ${timing.first.toFixed(1)} | ${timing.ratio.toFixed(2)} |`);
        }
    }
    const out = path.join(root, 'bench', 'results', 'latest.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWritten ${path.relative(root, out)}`);
    agent.destroy();
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
