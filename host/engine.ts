/**
 * The Apps-Engine server runtimes the host can run: 1.62.0
 * (`@rocket.chat/apps-engine`, the default) and 1.59.0
 * (`@rocket.chat/apps-engine-1.59`). Everything the host takes from the
 * engine's server side comes from here, loaded from the chosen package, so
 * that bridges and storages extend that engine's own classes (it checks them
 * with `instanceof`). Definitions (enums, contexts) are the same in both.
 */
import type { ChildProcess, SpawnOptions } from 'child_process';
// The module object itself: its spawn is swapped while the engine starts Deno.
import childProcess = require('child_process');
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import { defaultDenoDir, ENGINE_PACKAGES, findAppsEngineDir, fixup } from './runtime/fixup';

export type EngineVersion = '1.62.0' | '1.59.0';

export const ENGINE_VERSIONS = Object.keys(ENGINE_PACKAGES) as EngineVersion[];

export const DEFAULT_ENGINE: EngineVersion = '1.62.0';

const PROJECT_ROOT = path.resolve(__dirname, '..');

type AppManagerClass = typeof AppManager;

export interface Engine {
    version: EngineVersion;
    /** The engine package's directory. */
    dir: string;
    AppManager: AppManagerClass;
    bridges: typeof import('@rocket.chat/apps-engine/server/bridges');
    storage: typeof import('@rocket.chat/apps-engine/server/storage');
    /** Requires a module of the engine package, e.g. `server/managers/AppListenerManager`. */
    load<T = unknown>(modulePath: string): T;
}

const loaded = new Map<EngineVersion, Engine>();

export function isEngineVersion(value: unknown): value is EngineVersion {
    return typeof value === 'string' && (ENGINE_VERSIONS as string[]).includes(value);
}

/** The engine's runtime, ready to start apps: PATH has `deno`, DENO_DIR is set, the offline fix-ups are applied. */
export function loadEngine(version: string = DEFAULT_ENGINE): Engine {
    if (!isEngineVersion(version)) throw new Error(`Unknown engine "${version}": the host runs ${ENGINE_VERSIONS.join(' and ')}`);
    const known = loaded.get(version);
    if (known) return known;
    const pkg = ENGINE_PACKAGES[version];
    ensureRuntimeEnvironment(pkg);
    const dir = findAppsEngineDir(PROJECT_ROOT, pkg);
    const load = <T>(modulePath: string): T => require(path.join(dir, modulePath)) as T;
    const engine: Engine = {
        version,
        dir,
        AppManager: load<{ AppManager: AppManagerClass }>('server/AppManager').AppManager,
        bridges: load('server/bridges'),
        storage: load('server/storage'),
        load,
    };
    patchRuntime(engine);
    enforcePermissions(engine);
    loaded.set(version, engine);
    return engine;
}

function ensureRuntimeEnvironment(pkg: string): void {
    // The engine launches the literal command `deno` and reads DENO_DIR.
    const bin = path.join(PROJECT_ROOT, 'node_modules', '.bin');
    const parts = (process.env.PATH || '').split(path.delimiter);
    if (!parts.includes(bin)) process.env.PATH = [bin, ...parts].join(path.delimiter);
    if (!process.env.DENO_DIR) process.env.DENO_DIR = defaultDenoDir(PROJECT_ROOT);
    try {
        fixup({ engine: pkg, projectRoot: PROJECT_ROOT, denoDir: process.env.DENO_DIR, quiet: true });
    } catch (e) {
        throw new Error(`The ${pkg} Deno runtime is not usable (node host/runtime/fixup.js): ${(e as Error).message}`, { cause: e });
    }
}

/**
 * The engine grants every permission when NODE_ENV is `test` (jest sets it):
 * the host checks the app's granted permissions whatever NODE_ENV says, as a
 * production server does, so a missing permission shows in the tests.
 */
function enforcePermissions(engine: Engine): void {
    type Permission = { name: string };
    const { AppPermissionManager } = engine.load<{ AppPermissionManager: { hasPermission: (appId: string, permission: Permission) => unknown } }>(
        'server/managers/AppPermissionManager',
    );
    const { getPermissionsByAppId } = engine.load<{ getPermissionsByAppId: (appId: string) => Permission[] }>('server/AppManager');
    AppPermissionManager.hasPermission = (appId: string, permission: Permission) => getPermissionsByAppId(appId).find(({ name }) => name === permission.name);
}

/**
 * Changes to how the engine runs the Deno subprocess:
 * - Deno starts in its own process group, so a Ctrl+C in the terminal reaches
 *   only the host, which then stops the app in order (otherwise Deno dies
 *   first and the engine restarts it or writes into a closed pipe);
 * - a write to a dead subprocess's stdin (EPIPE) is logged instead of
 *   crashing the host;
 * - Deno 2 refuses to run a main module under node_modules; 1.62 links the
 *   runtime into its temp directory itself, 1.59 does not, so the host runs
 *   1.59's through a link of its own (with its config named explicitly).
 */
function patchRuntime(engine: Engine): void {
    const { DenoRuntimeSubprocessController } = engine.load<{ DenoRuntimeSubprocessController: { prototype: unknown } }>(
        'server/runtime/deno/AppsEngineDenoRuntime',
    );
    const proto = DenoRuntimeSubprocessController.prototype as { spawnProcess: (this: { deno?: ChildProcess }) => void };
    const original = proto.spawnProcess;
    const runtimeDir = path.join(engine.dir, 'deno-runtime');
    let linkedRuntime: string | undefined;
    const outsideNodeModules = (args: string[]): string[] => {
        const main = path.join(runtimeDir, 'main.ts');
        const at = args.indexOf(main);
        if (at === -1) return args;
        if (!linkedRuntime) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-apps-runtime-'));
            fs.symlinkSync(runtimeDir, path.join(dir, 'deno-runtime'), 'dir');
            process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
            linkedRuntime = dir;
        }
        const out = args.map((arg) => (arg.startsWith('--allow-read=') ? `${arg},${linkedRuntime}` : arg));
        out.splice(at, 1, `--config=${path.join(runtimeDir, 'deno.jsonc')}`, path.join(linkedRuntime, 'deno-runtime', 'main.ts'));
        return out;
    };
    proto.spawnProcess = function spawnProcess(this: { deno?: ChildProcess }) {
        const realSpawn = childProcess.spawn;
        (childProcess as { spawn: unknown }).spawn = (command: string, args: string[], options: SpawnOptions) =>
            realSpawn(command, outsideNodeModules(args), { ...options, detached: process.platform !== 'win32' });
        try {
            original.call(this);
        } finally {
            (childProcess as { spawn: unknown }).spawn = realSpawn;
        }
        this.deno?.stdin?.on('error', (e: Error) => console.error(`[local workspace] the app's Deno process is gone: ${e.message}`));
    };
}

/**
 * The engine keeps its AppManager in a static `Instance` and refuses to build
 * a second one; its only reader is the permission check of bridge calls
 * (`getPermissionsByAppId`). A cluster runs one AppManager per instance in
 * this process, so `Instance` becomes a stand-in that answers from any live
 * manager holding the app: every instance runs the same app with the same
 * granted permissions (read from the shared storage).
 */
const liveManagers = new Map<AppManagerClass, Set<AppManager>>();

export function newAppManager(engine: Engine, options: ConstructorParameters<typeof AppManager>[0]): AppManager {
    const Manager = engine.AppManager;
    const live = liveManagers.get(Manager) ?? new Set<AppManager>();
    liveManagers.set(Manager, live);
    setInstance(Manager, undefined);
    try {
        const manager = new Manager(options);
        live.add(manager);
        return manager;
    } finally {
        setInstance(Manager, standIn(live));
    }
}

export function releaseAppManager(engine: Engine, manager: AppManager): void {
    const live = liveManagers.get(engine.AppManager);
    live?.delete(manager);
    setInstance(engine.AppManager, live && standIn(live));
}

function setInstance(Manager: AppManagerClass, value: unknown): void {
    (Manager as unknown as { Instance?: unknown }).Instance = value;
}

function standIn(live: Set<AppManager>): Pick<AppManager, 'getPermissionsById'> | undefined {
    if (!live.size) return undefined;
    return {
        getPermissionsById: (appId: string) => {
            const holding = [...live].find((manager) => manager.getOneById(appId)) ?? [...live][0];
            return holding.getPermissionsById(appId);
        },
    };
}
