import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { Directory } from './core/directory';
import { EngineUser, toUserRecord } from './core/record';
import { crawlDirectory } from './crawl';

/** What directory.info reports about the last build. */
export interface BuildReport {
    builtAt: string;
    durationMs: number;
    bridgeCalls: number;
    rooms: number;
}

/**
 * Keeps the app's directory of users. The engine cannot list users, so the
 * directory is built from every room's members (plus the app user), kept
 * fresh by the user events, and rebuilt in the background once it is older
 * than the configured age while the previous one keeps answering. Only the
 * very first build makes a request wait.
 */
export class DirectoryService {
    private current?: Directory;
    private building?: Promise<Directory>;
    /** Changes that arrive while a rebuild runs, replayed on its result. */
    private pendingChanges: Array<(directory: Directory) => void> = [];
    private report?: BuildReport;
    /** When the last build started: a failed rebuild is not retried before the age is reached again. */
    private lastStart = 0;

    constructor(private readonly reader: () => IRead, private readonly maxAgeMs: () => number, private readonly onError: (error: unknown) => void) {}

    /** The directory to answer from. */
    async get(): Promise<Directory> {
        if (!this.current) {
            return this.rebuild();
        }
        if (!this.building && Date.now() - this.lastStart >= this.maxAgeMs()) {
            this.rebuild().catch(this.onError);
        }
        return this.current;
    }

    /** Starts a build unless one runs already; resolves to the directory that is current afterwards. */
    rebuild(): Promise<Directory> {
        if (!this.building) {
            this.lastStart = Date.now();
            this.building = this.build().finally(() => {
                this.building = undefined;
            });
        }
        return this.building;
    }

    info(): Record<string, unknown> {
        const ageMs = this.report ? Date.now() - Date.parse(this.report.builtAt) : null;
        return { ready: !!this.current, building: !!this.building, ageMs, lastBuild: this.report ?? null };
    }

    /** A user the app learned of from an event or a request. */
    upsert(user: IUser): void {
        const record = toUserRecord(user as unknown as EngineUser);
        this.apply((directory) => directory.upsert(record));
    }

    /** Adds a user met in a request when the directory lacks it (users in no room come in this way). */
    meet(user: IUser): void {
        if (this.current && !this.current.has(user.id)) {
            this.upsert(user);
        }
    }

    /**
     * A presence change. Its event carries only part of the user (Rocket.Chat
     * sends what its presence broadcast holds), so a known user keeps the rest
     * of its record; an unknown one is read in full.
     */
    async setPresence(user: IUser, status: string, readUser: (id: string) => Promise<IUser | undefined>): Promise<void> {
        if (this.current?.has(user.id)) {
            this.apply((directory) => {
                const record = directory.get(user.id);
                if (record) {
                    directory.upsert({ ...record, status, ...(typeof user.statusText === 'string' && { statusText: user.statusText }) });
                }
            });
            return;
        }
        const full = await readUser(user.id);
        if (full) {
            this.upsert({ ...full, status });
        }
    }

    remove(userId: string): void {
        this.apply((directory) => directory.remove(userId));
    }

    private apply(change: (directory: Directory) => void): void {
        if (this.current) {
            change(this.current);
        }
        if (this.building) {
            this.pendingChanges.push(change);
        }
    }

    private async build(): Promise<Directory> {
        const started = Date.now();
        this.pendingChanges = [];
        // The app user may be in no room; later builds carry it over like any other user.
        const { directory, report } = await crawlDirectory(this.reader(), this.current, { includeAppUser: !this.current });
        this.pendingChanges.forEach((change) => change(directory));
        this.pendingChanges = [];
        directory.prepare([[{ path: ['username'], direction: 1 }], [{ path: ['name'], direction: 1 }]]);
        this.current = directory;
        this.report = { builtAt: new Date().toISOString(), durationMs: Date.now() - started, ...report };
        return directory;
    }
}
