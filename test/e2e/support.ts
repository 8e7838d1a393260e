/// <reference types="jest" />
import * as fs from 'fs';
import * as path from 'path';

import { DEFAULT_ENGINE, EngineVersion, InstanceStats, isEngineVersion, RunningHost, startHost, StartHostOptions, Workspace } from '../../host';

/** The engine runtime this test run uses: HOST_ENGINE (jest's e2e projects set it), else the default. */
export function testEngine(): EngineVersion {
    const wanted = process.env.HOST_ENGINE ?? DEFAULT_ENGINE;
    if (!isEngineVersion(wanted)) throw new Error(`HOST_ENGINE=${wanted} is not an engine the host runs`);
    return wanted;
}

/** The zip `npm test` packages before running jest. */
export function appZip(): string {
    const dist = path.resolve(__dirname, '..', '..', 'dist');
    const zip = fs.existsSync(dist) ? fs.readdirSync(dist).find((name) => name.endsWith('.zip')) : undefined;
    if (!zip) {
        throw new Error('No app zip in dist/: run `npm run package` (npm test does it first)');
    }
    return path.join(dist, zip);
}

export interface Reply {
    status: number;
    body: any;
}

/** A client of the local workspace (of one instance of it: 1 by default), speaking HTTP as a Rocket.Chat client would. */
export class Client {
    constructor(
        readonly host: RunningHost,
        readonly instance = 1,
    ) {}

    get url(): string {
        return this.host.instance(this.instance).url;
    }

    /** The same workspace through another instance. */
    on(instance: number): Client {
        return new Client(this.host, instance);
    }

    get appBase(): string {
        return `${this.url}/api/apps/public/${this.host.appId}`;
    }

    /** Credentials of a workspace user whose token is `<id>-token` (the fixtures' convention). */
    static as(userId?: string): Record<string, string> {
        return userId ? { 'X-User-Id': userId, 'X-Auth-Token': `${userId}-token` } : {};
    }

    async get(appPath: string, userId?: string, query: Record<string, unknown> = {}): Promise<Reply> {
        const search = Object.entries(query)
            .flatMap(([key, value]) =>
                Array.isArray(value)
                    ? value.map((item) => `${encodeURIComponent(key)}[]=${encodeURIComponent(String(item))}`)
                    : [`${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`],
            )
            .join('&');
        return this.raw(`${this.appBase}/${appPath}${search ? `?${search}` : ''}`, { headers: Client.as(userId) });
    }

    async post(urlPath: string, body: unknown, userId?: string): Promise<Reply> {
        return this.raw(`${this.url}${urlPath}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...Client.as(userId) },
            body: JSON.stringify(body),
        });
    }

    /** `GET /host/stats` (as the admin): per instance. */
    async stats(): Promise<InstanceStats[]> {
        const reply = await this.raw(`${this.url}/host/stats`, { headers: Client.as('admin') });
        if (reply.status !== 200) throw new Error(`GET /host/stats: ${reply.status} ${JSON.stringify(reply.body)}`);
        return reply.body.instances;
    }

    async raw(url: string, init: RequestInit = {}): Promise<Reply> {
        const response = await fetch(url, init);
        const text = await response.text();
        let body: unknown = text;
        try {
            body = JSON.parse(text);
        } catch {
            // a bare text body stays text
        }
        return { status: response.status, body };
    }
}

/** Starts the host (on the test run's engine) with the packaged app for one test file, and stops it after. */
export function useHost(workspace: () => Workspace, options: Partial<StartHostOptions> = {}): () => Client {
    let client: Client | undefined;
    beforeAll(async () => {
        const host = await startHost({
            workspace: workspace(),
            port: 0,
            engine: testEngine(),
            log: () => undefined,
            ...options,
            zipPath: options.zipPath ?? appZip(),
        });
        await host.ready;
        client = new Client(host);
    }, 120_000);
    afterAll(async () => {
        await client?.host.stop();
    }, 60_000);
    return () => {
        if (!client) throw new Error('host not started');
        return client;
    };
}

/** Polls `probe` until `accept` holds for its result or `ms` pass; returns the last result. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = 1000): Promise<T> {
    const deadline = Date.now() + ms;
    let value = await probe();
    while (!accept(value) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        value = await probe();
    }
    return value;
}
