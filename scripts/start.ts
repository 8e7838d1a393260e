/**
 * `npm start`: runs the app in a local Rocket.Chat workspace.
 *
 *   npm start                              demo workspace (about 1,000 users)
 *   npm start -- --workspace FILE.json     that workspace instead
 *   npm start -- --users 100000 --seed 7   a bigger (or different) demo workspace
 *   npm start -- --zip path/to/app.zip     a given app package (default: newest dist/*.zip,
 *                                          rebuilt with `npm run package` when src/ is newer)
 *   npm start -- --instances 3             a cluster of 3 instances on PORT, PORT+1, PORT+2
 *   npm start -- --engine 1.59.0           the Apps-Engine runtime to run (1.62.0 by default)
 *   npm start -- --user-read-us 50         simulated server time per user document read
 *   npm start -- --port 3100               another port (or PORT=3100 npm start)
 *   npm start -- --data DIR                keep users, rooms and app persistence in DIR across restarts
 *                                          (written at a clean stop and every 30 s while they change)
 *   PORT (default 3000), HOST (default 127.0.0.1), HOST_LOG=1 to print the host's log.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

import { ENGINE_VERSIONS, generateDemoWorkspace, isEngineVersion, loadDataDir, parseWorkspace, startHost, Workspace } from '../host';
import type { RunningHost } from '../host';

const ROOT = path.resolve(__dirname, '..');

function fail(message: string): never {
    process.stderr.write(`${message}\n`);
    process.exit(1);
}

function parseArgs(argv: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const m = arg.match(/^--([^=]+)(?:=(.*))?$/);
        if (!m)
            fail(
                `Unexpected argument "${arg}". Usage: npm start -- [--workspace FILE.json] [--zip APP.zip] [--users N] [--seed N] [--instances N] [--engine VERSION] [--user-read-us N] [--port N] [--data DIR]`,
            );
        if (m[2] !== undefined) out[m[1]] = m[2];
        else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out[m[1]] = argv[++i];
        else out[m[1]] = 'true';
    }
    for (const key of Object.keys(out)) {
        if (!['workspace', 'zip', 'users', 'seed', 'instances', 'engine', 'user-read-us', 'port', 'data', 'help'].includes(key)) {
            fail(
                `Unknown option --${key}. Options: --workspace FILE.json, --zip APP.zip, --users N, --seed N, --instances N, --engine ${ENGINE_VERSIONS.join('|')}, --user-read-us N, --port N, --data DIR`,
            );
        }
    }
    return out;
}

function newestMtime(target: string): number {
    if (!fs.existsSync(target)) return 0;
    const stat = fs.statSync(target);
    if (!stat.isDirectory()) return stat.mtimeMs;
    let newest = 0;
    for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
    return newest;
}

function newestZip(): { file: string; mtime: number } | undefined {
    const dist = path.join(ROOT, 'dist');
    if (!fs.existsSync(dist)) return undefined;
    return fs
        .readdirSync(dist)
        .filter((f) => f.endsWith('.zip'))
        .map((f) => ({ file: path.join(dist, f), mtime: fs.statSync(path.join(dist, f)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime)[0];
}

/**
 * The app package to run: --zip, or dist/*.zip, packaged first when there is
 * none or src/ is newer. It packages quickly (`package.js --quick`: the same
 * zip without rc-apps' type-check, which `npm run package` and `npm test` run).
 */
function resolveZip(given: string | undefined): string {
    if (given) {
        const file = path.resolve(given);
        if (!fs.existsSync(file)) fail(`App package ${file} does not exist.`);
        return file;
    }
    const sourceMtime = Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'app.json')));
    let zip = newestZip();
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    if (sourceMtime > 0 && (!zip || zip.mtime < sourceMtime) && pkg.scripts?.package) {
        const started = Date.now();
        process.stdout.write(`${zip ? 'src/ changed since the last package' : 'No app package in dist/ yet'}: packaging the app... `);
        const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.js'), '--quick'], { cwd: ROOT, encoding: 'utf8' });
        if (res.signal) fail(`\nPackaging was interrupted (${res.signal}).`);
        if (res.status !== 0) fail(`\nPackaging failed (exit ${res.status}):\n${res.stdout}${res.stderr}`);
        process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        zip = newestZip();
    }
    if (!zip) fail('No app package found in dist/. Run `npm run package` (or pass --zip path/to/app.zip).');
    return zip.file;
}

function loadWorkspace(file: string): Workspace {
    const resolved = path.resolve(file);
    let text: string;
    try {
        text = fs.readFileSync(resolved, 'utf8');
    } catch (e) {
        fail(`Cannot read the workspace file ${resolved}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        fail(`The workspace file ${resolved} is not valid JSON: ${(e as Error).message}`);
    }
    try {
        return parseWorkspace(json);
    } catch (e) {
        fail(`The workspace file ${resolved} is malformed: ${(e as Error).message}`);
    }
}

/**
 * `npm start` runs npm → sh → tsx → this process. A SIGTERM sent to npm
 * alone kills npm and sh but is not passed on by sh, which would leave this
 * process (and its Deno subprocess) running. So watch the process that
 * launched tsx and stop as on SIGTERM when it goes away (Linux /proc only).
 */
function watchLauncher(onGone: () => void): void {
    const parentOf = (pid: number): number | undefined => {
        try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        } catch {
            return undefined;
        }
    };
    let watched = process.ppid;
    try {
        const cmdline = fs.readFileSync(`/proc/${watched}/cmdline`, 'utf8');
        if (cmdline.includes('tsx')) watched = parentOf(watched) ?? watched;
    } catch {
        return;
    }
    if (!watched || watched <= 1) return;
    const timer = setInterval(() => {
        try {
            process.kill(watched, 0);
        } catch {
            clearInterval(timer);
            onGone();
        }
    }, 1000);
    timer.unref();
}

function portInUse(host: string, port: number): string {
    return `Port ${port} on ${host} is already in use (another npm start?): choose another with PORT=${port + 100} npm start, or npm start -- --port ${port + 100}`;
}

/** Fails in one line, before any packaging, when a port the workspace needs is taken. */
async function ensurePortsFree(host: string, port: number, instances: number): Promise<void> {
    if (port === 0) return;
    for (let p = port; p < port + instances; p++) {
        const free = await new Promise<boolean>((resolve) => {
            const probe = net.createServer();
            probe.once('error', () => resolve(false));
            probe.listen(p, host, () => probe.close(() => resolve(true)));
        });
        if (!free) fail(portInUse(host, p));
    }
}

function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
        process.stdout.write(
            fs
                .readFileSync(__filename, 'utf8')
                .split('*/')[0]
                .replace(/^\/\*\*?|^ \* ?/gm, '') + '\n',
        );
        return;
    }
    if (args.users && !(Number(args.users) > 0)) fail(`--users must be a positive number, got "${args.users}"`);
    const instances = args.instances === undefined ? 1 : Number(args.instances);
    if (!Number.isInteger(instances) || instances < 1) fail(`--instances must be a positive integer, got "${args.instances}"`);
    const engine = args.engine ?? '1.62.0';
    if (!isEngineVersion(engine)) fail(`--engine must be one of ${ENGINE_VERSIONS.join(', ')}, got "${args.engine}"`);
    const userReadUs = args['user-read-us'] === undefined ? 0 : Number(args['user-read-us']);
    if (!(userReadUs >= 0)) fail(`--user-read-us must be a number of microseconds >= 0, got "${args['user-read-us']}"`);
    const dataDir = args.data === undefined ? undefined : path.resolve(args.data);
    let saved: ReturnType<typeof loadDataDir>;
    try {
        saved = dataDir ? loadDataDir(dataDir) : undefined;
    } catch (e) {
        fail((e as Error).message);
    }
    if (saved) process.stdout.write(`Using the workspace kept in ${dataDir} (saved ${saved.savedAt}).\n`);
    const workspace =
        saved?.workspace ??
        (args.workspace
            ? loadWorkspace(args.workspace)
            : generateDemoWorkspace({ users: args.users ? Number(args.users) : undefined, seed: args.seed ? Number(args.seed) : undefined }));
    const port = args.port !== undefined ? Number(args.port) : process.env.PORT ? Number(process.env.PORT) : 3000;
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`The port must be a number from 0 to 65535, got "${args.port ?? process.env.PORT}"`);
    const host = process.env.HOST || '127.0.0.1';
    await ensurePortsFree(host, port, instances);
    const zipPath = resolveZip(args.zip);
    const verbose = !!process.env.HOST_LOG && process.env.HOST_LOG !== '0';

    let running: RunningHost | undefined;
    let stopping = false;
    const shutdown = async (signal: string) => {
        if (stopping) {
            process.stderr.write(`${signal} again: exiting now\n`);
            for (const pid of running?.instances.map((i) => i.denoPid()) ?? []) {
                if (!pid) continue;
                try {
                    process.kill(pid, 'SIGKILL');
                } catch {
                    /* gone */
                }
            }
            process.exit(130);
        }
        stopping = true;
        process.stdout.write(`\n${signal}: stopping...\n`);
        try {
            await running?.stop();
        } finally {
            process.exit(0);
        }
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    watchLauncher(() => void shutdown('SIGTERM (launcher exited)'));

    const cluster = instances > 1 ? `${instances} instances, ` : '';
    process.stdout.write(
        `Starting a local workspace (${cluster}${workspace.users.length} users, ${workspace.rooms.length} rooms, engine ${engine}) with ${path.relative(process.cwd(), zipPath) || zipPath}...\n`,
    );
    const started = Date.now();
    try {
        running = await startHost({
            zipPath,
            workspace,
            port,
            host,
            instances,
            engine,
            userReadUs,
            dataDir,
            log: verbose ? (line) => process.stderr.write(`[host] ${line}\n`) : undefined,
        });
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') fail(portInUse(host, port));
        fail(`Could not start the workspace: ${err.message}`);
    }
    if (stopping) return;
    const { url, appId, appVersion } = running;

    const withToken = workspace.users.filter((u) => u.authToken && u.active !== false);
    const admin = withToken.find((u) => u.roles?.includes('admin'));
    const ordinary = withToken.find((u) => u._id === 'alice') ?? withToken.find((u) => !u.roles?.includes('admin') && u.roles?.includes('user'));
    const auth = (u: { _id: string; authToken?: string } | undefined) =>
        u ? `-H ${shellQuote(`X-User-Id: ${u._id}`)} -H ${shellQuote(`X-Auth-Token: ${u.authToken}`)}` : '';
    const base = `${url}/api/apps/public/${appId}`;
    const caller = admin ?? ordinary;
    const command = running.commands()[0] ?? 'users';

    const lines = [
        '',
        `Local workspace: ${url}`,
        ...(instances > 1 ? running.instances.map((i) => `  instance ${i.number}: ${i.url}`) : []),
        `App: ${appId} (version ${appVersion}, engine ${engine})`,
        admin
            ? `Admin:         X-User-Id: ${admin._id}   X-Auth-Token: ${admin.authToken}   (${admin.username})`
            : 'Admin:         (no admin with an authToken in this workspace)',
        ordinary
            ? `Ordinary user: X-User-Id: ${ordinary._id}   X-Auth-Token: ${ordinary.authToken}   (${ordinary.username})`
            : 'Ordinary user: (none with an authToken in this workspace)',
        '',
        'Try:',
        `  curl -s ${auth(caller)} '${base}/users.list?count=5&offset=0&sort={"username":1}' -g`,
        `  curl -s ${auth(caller)} '${base}/users.listByStatus?status=active&roles[]=user&count=5' -g`,
        `  curl -s ${auth(caller)} '${base}/livechat/users/agent?count=5'`,
        `  curl -s ${auth(caller)} '${base}/directory.info'`,
        `  curl -s ${auth(caller)} -H 'Content-Type: application/json' -d '{"command":"${command}","params":"","roomId":"GENERAL"}' '${url}/api/v1/commands.run'`,
        '',
        'Admin actions: POST /api/v1/users.create, users.update, users.setActiveStatus, users.delete, users.setStatus, /host/login',
        `App settings: GET/POST ${url}/api/apps/${appId}/settings   Host stats: GET ${url}/host/stats`,
        '',
    ];
    process.stdout.write(lines.join('\n'));
    process.stdout.write("Building the app's user directory from the workspace's rooms...\n");
    try {
        await running.ready;
    } catch (e) {
        process.stderr.write(`Warning: the app's first directory.info call failed: ${(e as Error).message}\n`);
    }
    if (stopping) return;
    const where = running.instances.map((i) => i.url).join(', ');
    process.stdout.write(`Workspace ready at ${where} in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl+C to stop)\n`);
}

main().catch((e) => fail(`Could not start the workspace: ${(e as Error)?.stack ?? e}`));
