/**
 * The local workspace host: a cluster of Rocket.Chat instances (one by
 * default) over one shared store, each with the packaged app installed in
 * the real Apps-Engine (its own AppManager and Deno subprocess) and its own
 * HTTP front on Rocket.Chat's URL layout. See host/README.md.
 *
 *   store.ts     the shared store ("the database"): ClusterStore
 *   instance.ts  an instance: engine, bridges (bridges/), stats
 *   front.ts     the HTTP front of an instance (admin.ts: the admin actions)
 *   engine.ts    the engine runtimes (1.62.0, 1.59.0)
 */
import * as fs from 'fs';

import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';

import { DEFAULT_ENGINE, EngineVersion, isEngineVersion, loadEngine, ENGINE_VERSIONS } from './engine';
import { ClusterView, Front } from './front';
import { AppAccessors, Instance, InstanceStats } from './instance';
import { DataDirWriter, loadDataDir } from './dataDir';
import { ClusterStore } from './store';
import type { Workspace } from './workspace';

export interface StartHostOptions {
    /** The packaged app (`rc-apps package` output). */
    zipPath: string;
    workspace: Workspace;
    /** Instance 1's port; instance i listens on `port + i - 1`. 0 (default): each picks a free one. */
    port?: number;
    /** Interface to listen on (default 127.0.0.1). */
    host?: string;
    /** Number of Rocket.Chat instances (default 1). */
    instances?: number;
    /** The engine runtime: '1.62.0' (default) or '1.59.0'. */
    engine?: EngineVersion;
    /** Simulated server time per user document read (getMembers: one per member), in microseconds (default 0). */
    userReadUs?: number;
    /**
     * Keep users, rooms and app persistence in this directory across restarts
     * (see dataDir.ts): loaded at start when it holds a saved store (then
     * `workspace` is not used), written at a clean stop and every `dataSaveMs`
     * (default 30 s) while something changed.
     */
    dataDir?: string;
    dataSaveMs?: number;
    log?: (line: string) => void;
}

/** One instance of a running cluster. */
export interface HostInstance {
    /** 1, 2, ... */
    readonly number: number;
    readonly url: string;
    readonly port: number;
    readonly running: boolean;
    /** Resolves once this run of the instance is ready (its app has answered its first directory.info). */
    readonly ready: Promise<void>;
    /** Stops the instance (HTTP front and Deno process); the shared store stays. */
    stop(): Promise<void>;
    /** Starts a stopped instance again on its port: a fresh Deno process and app memory over the same store. Resolves once the app is enabled; `ready` after that. */
    start(): Promise<void>;
    /** stop() then start(). */
    restart(): Promise<void>;
    denoPid(): number | undefined;
    /**
     * The engine's server-side accessors of the app on this instance (`modify`,
     * `read`, `http`): what the app's own calls reach from its Deno process,
     * with the engine's permission checks, e.g.
     * `modify.getUpdater().getUserUpdater().deactivate(id, false)`. For tests
     * of the host's bridges.
     */
    appAccessors(): AppAccessors;
    stats(): InstanceStats;
    resetStats(): void;
}

export interface RunningHost {
    /** Instance 1's URL. */
    url: string;
    appId: string;
    appVersion: string;
    engine: EngineVersion;
    instances: HostInstance[];
    /** The instance numbered `n` (1-based). */
    instance(n: number): HostInstance;
    /** Resolves once every instance is ready. */
    ready: Promise<void>;
    /** Per instance, since start or the last reset (also `GET /host/stats`). */
    stats(): InstanceStats[];
    resetStats(): void;
    /** Calls per bridge method (e.g. `UserBridge.getById`), summed over the instances, since start or the last reset. */
    bridgeCalls(): Record<string, number>;
    resetBridgeCalls(): void;
    /** Instance 1's Deno process. */
    denoPid(): number | undefined;
    /** The app's registered endpoints (path as registered, e.g. `livechat/users/:type`), with instance 1's URLs. */
    endpoints(): Array<{ path: string; url: string; visibility: 'public' | 'private'; authRequired: boolean; methods: string[] }>;
    /** The app's registered slash commands. */
    commands(): string[];
    /** With `dataDir`: writes the store there now if it changed since the last write (else does nothing). */
    save(): Promise<void>;
    /** Stops every instance (and writes the store to `dataDir`); idempotent. */
    stop(): Promise<void>;
}

/** Starts a cluster; resolves once the app is installed and enabled on every instance (see `ready` for their directories). */
export async function startHost(opts: StartHostOptions): Promise<RunningHost> {
    const log = opts.log ?? (() => undefined);
    const count = opts.instances ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`instances must be a positive integer, got ${opts.instances}`);
    const engineVersion = opts.engine ?? DEFAULT_ENGINE;
    if (!isEngineVersion(engineVersion)) throw new Error(`Unknown engine "${opts.engine}": the host runs ${ENGINE_VERSIONS.join(' and ')}`);
    const userReadUs = opts.userReadUs ?? 0;
    if (!(userReadUs >= 0)) throw new Error(`userReadUs must be a number of microseconds >= 0, got ${opts.userReadUs}`);
    const engine = loadEngine(engineVersion);
    const zip = fs.readFileSync(opts.zipPath);

    let app: IAppInfo;
    try {
        app = (
            await new (engine.load<{ AppPackageParser: new () => { unpackageApp(zip: Buffer): Promise<{ info: IAppInfo }> } }>(
                'server/compiler',
            ).AppPackageParser)().unpackageApp(zip)
        ).info;
    } catch (e) {
        throw new Error(`${opts.zipPath} is not an installable app package: ${(e as Error)?.message ?? e}`, { cause: e });
    }

    const saved = opts.dataDir ? loadDataDir(opts.dataDir) : undefined;
    const store = new ClusterStore(saved?.workspace ?? opts.workspace, log);
    if (saved) {
        store.persistence.restore(saved.persistence);
        log(`loaded the store saved at ${saved.savedAt} from ${opts.dataDir}`);
    }
    const writer = opts.dataDir ? new DataDirWriter(opts.dataDir, store, log, opts.dataSaveMs) : undefined;
    const instances: Instance[] = [];
    const fronts: Front[] = [];
    const cluster: ClusterView = {
        appVersion: app.version,
        instances: () => instances,
        stats: () => instances.map((i) => i.stats()),
        resetStats: () => instances.forEach((i) => i.resetStats()),
    };
    const context = { engine, store, zip, app, log, userReadUs };
    for (let n = 1; n <= count; n++) {
        const instance = new Instance(n, context);
        instances.push(instance);
        fronts.push(new Front(instance, cluster, store.workspace, (line) => log(`[${n}] ${line}`)));
    }

    const handles: Array<HostInstance & { begin(install: boolean): Promise<void> }> = instances.map((instance, i) =>
        instanceHandle(instance, fronts[i], opts, log),
    );
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
        stopped ??= (async () => {
            await Promise.all(handles.map((h) => h.stop()));
            store.jobs.stop();
            await writer?.stop();
            log('stopped');
        })();
        return stopped;
    };
    try {
        // Every front listens first (ports known, 503 until ready); the first instance
        // installs the app, the others then load it from the store, in parallel.
        for (let i = 0; i < count; i++) await fronts[i].listen(opts.port ? opts.port + i : 0, opts.host ?? '127.0.0.1');
        for (const instance of instances) log(`instance ${instance.number} listening on ${instance.url}`);
        writer?.start();
        await handles[0].begin(true);
        await Promise.all(handles.slice(1).map((h) => h.begin(false)));
    } catch (e) {
        await stop();
        throw e;
    }
    const first = handles[0];
    return {
        url: instances[0].url,
        appId: app.id,
        appVersion: app.version,
        engine: engineVersion,
        instances: handles,
        instance: (n: number) => {
            const handle = handles[n - 1];
            if (!handle) throw new Error(`No instance ${n}: the cluster has ${count}`);
            return handle;
        },
        ready: Promise.all(handles.map((h) => h.ready)).then(() => undefined),
        stats: () => cluster.stats(),
        resetStats: () => cluster.resetStats(),
        bridgeCalls: () => {
            const sum: Record<string, number> = {};
            for (const s of cluster.stats()) for (const [key, n] of Object.entries(s.calls)) sum[key] = (sum[key] ?? 0) + n;
            return Object.fromEntries(Object.entries(sum).sort(([a], [b]) => (a < b ? -1 : 1)));
        },
        resetBridgeCalls: () => cluster.resetStats(),
        denoPid: () => first.denoPid(),
        endpoints: () =>
            instances[0].endpoints().map((e) => ({
                path: e.path,
                url: `${instances[0].url}${e.computedPath}`,
                visibility: e.visibility,
                authRequired: e.authRequired,
                methods: e.methods,
            })),
        commands: () => instances[0].commands(),
        save: () => writer?.save() ?? Promise.resolve(),
        stop,
    };
}

/** The public handle of an instance: its engine and its front, started and stopped together. */
function instanceHandle(
    instance: Instance,
    front: Front,
    opts: StartHostOptions,
    log: (line: string) => void,
): HostInstance & { begin(install: boolean): Promise<void> } {
    let ready: Promise<void> = Promise.resolve();
    let busy: Promise<void> = Promise.resolve();
    const serial = (step: () => Promise<void>) => (busy = busy.then(step, step));
    const killOnExit = () => {
        const pid = instance.denoPid();
        if (pid) {
            try {
                process.kill(pid, 'SIGKILL');
            } catch {
                /* already gone */
            }
        }
    };

    /** Starts the engine (installing the app or loading it), then the first directory.info makes it ready. */
    const begin = async (install: boolean) => {
        process.on('exit', killOnExit);
        await instance.start(install);
        ready = firstDirectoryInfo(instance, log).finally(() => {
            if (instance.running) front.ready = true;
        });
        ready.catch((e) => log(`[${instance.number}] the app failed to get ready: ${(e as Error)?.message ?? e}`));
    };

    const stop = () =>
        serial(async () => {
            if (!instance.running && !front.ready) return front.close();
            // Let a directory build in progress finish (briefly) rather than cut it off.
            await Promise.race([ready.catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
            await front.close();
            await instance.stop();
            process.removeListener('exit', killOnExit);
            log(`[${instance.number}] stopped`);
        });

    const start = () =>
        serial(async () => {
            if (instance.running) return;
            await front.listen(instance.port, opts.host ?? '127.0.0.1');
            try {
                await begin(false);
            } catch (e) {
                await front.close();
                throw e;
            }
        });

    return {
        number: instance.number,
        get url() {
            return instance.url;
        },
        get port() {
            return instance.port;
        },
        get running() {
            return instance.running;
        },
        get ready() {
            return ready;
        },
        begin,
        stop,
        start,
        restart: async () => {
            await stop();
            await start();
        },
        denoPid: () => instance.denoPid(),
        appAccessors: () => instance.appAccessors(),
        stats: () => instance.stats(),
        resetStats: () => instance.resetStats(),
    };
}

/**
 * Calls the app's `GET directory.info` without a user until it stops
 * answering 503 (its first directory is being built or loaded meanwhile).
 */
async function firstDirectoryInfo(instance: Instance, log: (line: string) => void): Promise<void> {
    const found = instance.findEndpoint('public', 'directory.info');
    if (!found) {
        log(`[${instance.number}] the app has no directory.info endpoint; ready without waiting`);
        return;
    }
    const started = Date.now();
    while (instance.running) {
        const result = await instance.executeApi(found.endpoint.path, {
            method: 'get',
            headers: {},
            query: {},
            params: found.params,
            content: undefined,
            privateHash: undefined,
            user: undefined,
        });
        const status = (result as { status?: number })?.status;
        if (status !== 503) {
            log(`[${instance.number}] directory.info answered ${status} after ${Date.now() - started} ms`);
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}
