/**
 * One Rocket.Chat instance of a cluster, engine side: its own AppManager with
 * the app in its own Deno subprocess, its bridges bound to it, and the stats
 * of what the app did there. The first instance of a cluster installs the
 * app as Rocket.Chat's Apps REST API does (add, then enable); every other
 * start (the other instances, any restart) loads it from the shared store as
 * a starting Rocket.Chat does (load, then enable what was enabled).
 */
import { once } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { AppStatus, AppStatusUtils } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { IHttp, IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { LogMessageSeverity } from '@rocket.chat/apps-engine/definition/accessors/ILogEntry';
import type { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';

import { createBridges, InstanceBridges, InstanceContext, RegisteredEndpoint } from './bridges';
import { toAppUser } from './convert';
import { Engine, newAppManager, releaseAppManager } from './engine';
import { ProducedLog } from './produced';
import { ClusterStore, noTraffic, PersistenceTraffic } from './store';
import { createStorages, InstanceStorages } from './storage';

/** What an instance counts, since its start or the last reset. */
export interface InstanceStats {
    instance: number;
    url: string;
    port: number;
    running: boolean;
    /** Events fired to the app here, by name (`IPostUserUpdated`, ..., and `onSettingUpdated`). */
    events: Record<string, number>;
    /** The app's bridge calls here (and the engine's on its behalf). */
    bridgeCalls: number;
    /** User documents the server read for those calls (getMembers: one per member). */
    userReads: number;
    /** Room documents the database walked to list rooms (getAllRooms): a page walks every room before it (MongoDB's skip), then its own. */
    roomReads: number;
    /** The bridge calls that were app persistence calls. */
    persistenceCalls: number;
    /** Bridge calls by method, `<Bridge>.<method>`. */
    calls: Record<string, number>;
    /**
     * App persistence: the records this instance's calls read, wrote and
     * removed, with their JSON bytes (counters, like the above), and the
     * records and bytes the app keeps in the shared store now (`records`,
     * `bytes`: the same on every instance).
     */
    persistence: PersistenceTraffic & { records: number; bytes: number };
}

/** The engine's server-side accessors of the app (what the app's calls from its Deno process reach). */
export interface AppAccessors {
    modify: IModify;
    read: IRead;
    http: IHttp;
}

interface ClusterContext {
    engine: Engine;
    store: ClusterStore;
    zip: Buffer;
    app: IAppInfo;
    log(line: string): void;
    /** Simulated server time per user document read, in microseconds. */
    userReadUs: number;
}

/** The error entries of an app log entry, each as one line. */
function errorLines(entry: ILoggerStorageEntry): string[] {
    return (entry.entries || [])
        .filter((e) => e.severity === LogMessageSeverity.ERROR)
        .map((e) => e.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
}

const sorted = (map: Map<string, number>) => Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));

export class Instance {
    private manager?: AppManager;

    private bridges?: InstanceBridges;

    private storages?: InstanceStorages;

    private tempDir?: string;

    private readonly calls = new Map<string, number>();

    private readonly events = new Map<string, number>();

    private userReads = 0;

    private roomReads = 0;

    /** What this instance's app persistence calls moved (its connection to the shared collection). */
    private readonly traffic = noTraffic();

    /** Fractional milliseconds of simulated reading not slept yet. */
    private owedMs = 0;

    readonly produced = new ProducedLog();

    /** The HTTP address, set by the front once it listens. */
    url = '';

    port = 0;

    constructor(
        readonly number: number,
        private readonly cluster: ClusterContext,
    ) {}

    get appId(): string {
        return this.cluster.app.id;
    }

    get running(): boolean {
        return !!this.manager;
    }

    /** Starts the engine with the app: installs it when `install`, else loads it from the shared store. Resolves once the app is enabled. */
    async start(install: boolean): Promise<void> {
        if (this.manager) throw new Error(`Instance ${this.number} is running`);
        const { engine, store } = this.cluster;
        const ctx: InstanceContext = {
            number: this.number,
            store: store.connection(this.traffic),
            state: store.workspace,
            produced: this.produced,
            manager: () => this.manager,
            // Each instance's Site_Url is its own address: the engine's HTTP accessor reaches a running front.
            siteUrl: () => this.url,
            log: (line) => this.cluster.log(`[${this.number}] ${line}`),
            countCall: (key) => this.calls.set(key, (this.calls.get(key) ?? 0) + 1),
            readUsers: (count) => this.readUsers(count),
            readRooms: (count) => (this.roomReads += count),
        };
        this.bridges = createBridges(engine, ctx);
        this.storages = createStorages(engine, store.apps, (entry) => {
            for (const line of errorLines(entry)) ctx.log(`[app ${entry.method}] ${line}`);
        });
        this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-apps-host-'));
        this.manager = newAppManager(engine, { ...this.storages, bridges: this.bridges.appBridges, tempFilePath: this.tempDir });
        try {
            const started = Date.now();
            if (install) await this.install();
            else {
                await this.manager.load();
                await this.manager.enableAll();
            }
            await this.requireEnabled();
            ctx.log(
                `${install ? 'installed and enabled' : 'loaded and enabled'} ${this.cluster.app.name} ${this.cluster.app.version} in ${Date.now() - started} ms`,
            );
        } catch (e) {
            await this.stop();
            throw e;
        }
    }

    /** As Rocket.Chat's `POST /api/apps`: add the package disabled, then enable it (stored as manually enabled). */
    private async install(): Promise<void> {
        const manager = this.manager!;
        await manager.load();
        const installer = [...this.cluster.store.workspace.users.values()].find((u) => u.active !== false && u.roles?.includes('admin'));
        const aff = await manager.add(this.cluster.zip, {
            enable: false,
            user: (installer ? toAppUser(installer) : undefined) as IUser,
            ...(this.cluster.app.permissions && { permissionsGranted: this.cluster.app.permissions }),
        });
        const problems: string[] = [];
        if (aff.hasStorageError()) problems.push(`storage error: ${aff.getStorageError()}`);
        if (aff.hasAppUserError()) problems.push(`app user error: ${JSON.stringify(aff.getAppUserError())}`);
        const license = aff.getLicenseValidationResult?.();
        if (license?.hasErrors) problems.push(`license errors: ${JSON.stringify(license.getErrors())}`);
        if (problems.length || !aff.getApp?.())
            throw new Error(`The app ${this.cluster.app.name} ${this.cluster.app.version} could not be installed.\n  ${problems.join('\n  ')}`);
        await manager.changeStatus(this.appId, AppStatus.MANUALLY_ENABLED);
    }

    private async requireEnabled(): Promise<void> {
        const app = this.manager?.getOneById(this.appId);
        const status = app ? await app.getStatus() : undefined;
        if (app && status && AppStatusUtils.isEnabled(status)) return;
        const entries = (await this.storages?.logStorage.getEntriesFor(this.appId)) ?? [];
        const errors = entries.flatMap((entry) => errorLines(entry).map((line) => `${entry.method}: ${line}`)).slice(-10);
        throw new Error(
            `The app ${this.cluster.app.name} ${this.cluster.app.version} did not end up enabled on instance ${this.number} (status: ${status ?? 'not installed'}).` +
                (errors.length ? `\n  app log errors:\n    ${errors.join('\n    ')}` : ''),
        );
    }

    /**
     * Stops the instance as a Rocket.Chat process going away: the app's Deno
     * process is killed (no disable: the stored status and the shared jobs
     * stay), its processors leave the job store.
     */
    async stop(): Promise<void> {
        const manager = this.manager;
        if (!manager) return;
        this.cluster.store.jobs.forgetInstance(this.number);
        const controller = manager.getOneById(this.appId)?.getRuntimeController() as unknown as
            | (import('events').EventEmitter & { deno?: import('child_process').ChildProcess; livenessManager?: { stop(): void }; stopApp(): Promise<void> })
            | undefined;
        const child = controller?.deno;
        controller?.livenessManager?.stop();
        try {
            await controller?.stopApp();
        } catch {
            /* already gone */
        }
        if (child && child.exitCode === null && child.signalCode === null) {
            child.kill('SIGKILL');
            await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000).unref())]);
        }
        // Requests still waiting for the killed runtime would otherwise hold their (30 s) timers: answer them now.
        for (const name of controller?.eventNames() ?? []) {
            if (String(name).startsWith('result:')) controller?.emit(name, undefined, new Error('The instance stopped'));
        }
        releaseAppManager(this.cluster.engine, manager);
        this.manager = undefined;
        this.bridges = undefined;
        if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
        this.tempDir = undefined;
    }

    /** The running app, or undefined while the instance is down. */
    app(): ProxiedApp | undefined {
        return this.manager?.getOneById(this.appId);
    }

    denoPid(): number | undefined {
        const controller = this.app()?.getRuntimeController() as unknown as { deno?: { pid?: number; exitCode: number | null } } | undefined;
        const child = controller?.deno;
        return child && child.exitCode === null ? child.pid : undefined;
    }

    endpoints(): RegisteredEndpoint[] {
        return (this.bridges?.api.endpoints ?? []).filter((e) => e.appId === this.appId);
    }

    findEndpoint(visibility: 'public' | 'private', subPath: string): { endpoint: RegisteredEndpoint; params: Record<string, string> } | undefined {
        for (const endpoint of this.endpoints()) {
            if (endpoint.visibility !== visibility) continue;
            const params = endpoint.match(subPath);
            if (params) return { endpoint, params };
        }
        return undefined;
    }

    commands(): string[] {
        return [...(this.bridges?.command.commands.entries() ?? [])].filter(([, c]) => c.appId === this.appId && c.enabled).map(([name]) => name);
    }

    isCommand(command: string): boolean {
        const registered = this.bridges?.command.commands.get(command);
        return !!registered && registered.enabled;
    }

    private engineManager(): AppManager {
        if (!this.manager) throw new Error(`Instance ${this.number} is not running`);
        return this.manager;
    }

    executeApi(path: string, request: unknown): Promise<unknown> {
        return this.engineManager()
            .getApiManager()
            .executeApi(this.appId, path, request as never);
    }

    executeCommand(command: string, context: unknown): Promise<unknown> {
        return this.engineManager()
            .getCommandManager()
            .executeCommand(command, context as never);
    }

    executeUiInteraction(int: AppInterface, action: unknown): Promise<unknown> {
        return this.engineManager()
            .getListenerManager()
            .executeListener(int as never, action as never);
    }

    /** Fires an event to the app on this instance, as Rocket.Chat's AppListenerBridge does, and counts it. */
    fire(event: AppInterface, payload: unknown): Promise<unknown> {
        this.countEvent(event);
        return this.engineManager()
            .getListenerManager()
            .executeListener(event as never, payload as never);
    }

    log(line: string): void {
        this.cluster.log(`[${this.number}] ${line}`);
    }

    /** Changes an app setting through this instance's engine (stores it, calls the app's onSettingUpdated). */
    async updateSetting(setting: ISetting): Promise<void> {
        this.countEvent('onSettingUpdated');
        await this.engineManager().getSettingsManager().updateAppSetting(this.appId, setting);
    }

    /** The engine's server-side accessors for the app: what the app's modify, read and http calls reach. */
    appAccessors(): AppAccessors {
        const accessors = this.engineManager().getAccessorManager();
        return { modify: accessors.getModifier(this.appId), read: accessors.getReader(this.appId), http: accessors.getHttp(this.appId) };
    }

    /** A server setting's value (`API_Default_Count`, ...), from the shared store. */
    serverSetting(id: string): unknown {
        return this.cluster.store.serverSettings.get(id)?.value;
    }

    /** The app's settings as this instance holds them. */
    settings(): Record<string, ISetting> {
        return { ...(this.app()?.getStorageItem().settings ?? {}) };
    }

    private countEvent(name: string): void {
        this.events.set(name, (this.events.get(name) ?? 0) + 1);
    }

    private async readUsers(count: number): Promise<void> {
        this.userReads += count;
        if (!this.cluster.userReadUs || !count) return;
        const ms = this.owedMs + (count * this.cluster.userReadUs) / 1000;
        const whole = Math.floor(ms);
        this.owedMs = ms - whole;
        if (whole) await new Promise((resolve) => setTimeout(resolve, whole));
    }

    stats(): InstanceStats {
        let persistenceCalls = 0;
        let bridgeCalls = 0;
        for (const [key, n] of this.calls) {
            bridgeCalls += n;
            if (key.startsWith('PersistenceBridge.')) persistenceCalls += n;
        }
        return {
            instance: this.number,
            url: this.url,
            port: this.port,
            running: this.running,
            events: sorted(this.events),
            bridgeCalls,
            userReads: this.userReads,
            roomReads: this.roomReads,
            persistenceCalls,
            calls: sorted(this.calls),
            persistence: { ...this.traffic, ...this.cluster.store.persistence.held(this.appId) },
        };
    }

    resetStats(): void {
        this.calls.clear();
        this.events.clear();
        this.userReads = 0;
        this.roomReads = 0;
        Object.assign(this.traffic, noTraffic());
    }
}
