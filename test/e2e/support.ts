/// <reference types="jest" />
import * as fs from 'fs';
import * as path from 'path';

import { RunningHost, startHost, Workspace } from '../../host';

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

/** A client of the local workspace, speaking HTTP as a Rocket.Chat client would. */
export class Client {
    constructor(readonly host: RunningHost) {}

    get appBase(): string {
        return `${this.host.url}/api/apps/public/${this.host.appId}`;
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
        return this.raw(`${this.host.url}${urlPath}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...Client.as(userId) },
            body: JSON.stringify(body),
        });
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

/** Starts the host with the packaged app for one test file, and stops it after. */
export function useHost(workspace: () => Workspace): () => Client {
    let client: Client | undefined;
    beforeAll(async () => {
        const host = await startHost({ zipPath: appZip(), workspace: workspace(), port: 0, log: () => undefined });
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
