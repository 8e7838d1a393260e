/**
 * The cluster store: what every instance of a cluster reads and writes, as
 * Rocket.Chat's instances share one MongoDB. Users and rooms (the workspace),
 * app persistence, the installed apps (documents with their setting values,
 * and packages), server settings, and the scheduler's jobs. Everything an
 * instance keeps in memory of its own lives in Instance.
 *
 * Values are copied going in and coming out, as a database would: no two
 * instances ever share an object.
 */
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';

import { copy, objectId } from './documents';
import { JobStore } from './jobs';
import { WorkspaceState } from './state';
import type { Workspace } from './workspace';

export class ClusterStore {
    readonly workspace: WorkspaceState;

    readonly persistence = new PersistenceCollection();

    readonly apps = new AppsCollection();

    readonly serverSettings = new ServerSettings();

    readonly jobs: JobStore;

    constructor(workspace: Workspace, log: (line: string) => void = () => undefined) {
        this.workspace = new WorkspaceState(workspace);
        this.jobs = new JobStore(log);
    }

    /** One instance's connection: the same store, with its app persistence calls counted into `traffic`. */
    connection(traffic: PersistenceTraffic): ClusterStore {
        return Object.create(this, { persistence: { value: this.persistence.metered(traffic) } }) as ClusterStore;
    }

    /** Grows with every change to what `--data` keeps (users, rooms, app persistence). */
    changes(): number {
        return this.workspace.changes + this.persistence.changes;
    }
}

export interface Association {
    model: string;
    id: string;
}

interface PersistenceRecord {
    _id: string;
    appId: string;
    associations?: Association[];
    data: object;
    /** UTF-8 bytes of the record's JSON (appId, associations and data), as stored. */
    size: number;
}

/** What one instance's app persistence calls moved: records and their JSON bytes. */
export interface PersistenceTraffic {
    /** Records read (one per record answered) and their bytes. */
    reads: number;
    readBytes: number;
    /** Records written (inserted or replaced) and their bytes. */
    writes: number;
    writtenBytes: number;
    /** Records removed. */
    removes: number;
}

export const noTraffic = (): PersistenceTraffic => ({ reads: 0, readBytes: 0, writes: 0, writtenBytes: 0, removes: 0 });

const sameAssociation = (a: Association, b: Association) => a.model === b.model && a.id === b.id;

const sizeOf = (record: Omit<PersistenceRecord, 'size' | '_id'>): number =>
    Buffer.byteLength(JSON.stringify({ appId: record.appId, associations: record.associations, data: record.data }), 'utf8');

/**
 * `rocketchat_apps_persistence` as Rocket.Chat's AppPersistenceBridge uses it:
 * records `{appId, associations, data}`; reading and removing by associations
 * match `associations: {$all: [...]}` (every given association, in any
 * order, others allowed); updating by associations matches the exact list
 * (`{appId, associations}`, order included) and upserts.
 *
 * Every record's JSON size is kept, so what the collection holds per app and
 * what each instance's calls move (`metered`) are known without measuring again.
 */
export class PersistenceCollection {
    constructor(
        private readonly shared = { records: new Map<string, PersistenceRecord>(), changes: 0 },
        private readonly traffic?: PersistenceTraffic,
    ) {}

    private get records(): Map<string, PersistenceRecord> {
        return this.shared.records;
    }

    /** Grows with every write or removal (to know whether there is anything new to save). */
    get changes(): number {
        return this.shared.changes;
    }

    /** The same collection, counting what goes through it into `traffic` (one instance's connection). */
    metered(traffic: PersistenceTraffic): PersistenceCollection {
        return new PersistenceCollection(this.shared, traffic);
    }

    insert(appId: string, data: object, associations?: Association[]): string {
        const _id = objectId();
        const record = { appId, ...(associations && { associations: copy(associations) }), data: copy(data) };
        this.store({ _id, ...record, size: sizeOf(record) });
        return _id;
    }

    /** findOneById: no app filter, as in Rocket.Chat. */
    findById(id: string): object | undefined {
        const record = this.records.get(id);
        if (record) this.read([record]);
        return copy(record?.data);
    }

    findAll(appId: string, associations: Association[]): object[] {
        return this.read(this.matchingAll(appId, associations)).map((r) => copy(r.data));
    }

    removeById(id: string, appId: string): object | undefined {
        const record = this.records.get(id);
        if (!record || record.appId !== appId) return undefined;
        this.remove([record]);
        return record.data;
    }

    removeAll(appId: string, associations: Association[]): object[] {
        const records = this.matchingAll(appId, associations);
        this.remove(records);
        return records.map((r) => r.data);
    }

    /** updateOne({appId, associations}, {$set: {data}}, {upsert}): the id of an inserted record, else ''. */
    updateExact(appId: string, associations: Association[], data: object, upsert: boolean): string {
        for (const record of this.records.values()) {
            const have = record.associations ?? [];
            if (record.appId === appId && have.length === associations.length && have.every((h, i) => sameAssociation(h, associations[i]))) {
                const next = { ...record, data: copy(data) };
                this.store({ ...next, size: sizeOf(next) });
                return '';
            }
        }
        return upsert ? this.insert(appId, data, associations) : '';
    }

    purge(appId: string): void {
        this.remove([...this.records.values()].filter((r) => r.appId === appId));
    }

    count(appId?: string): number {
        return this.held(appId).records;
    }

    /** The records the collection holds (of one app, or all) and their JSON bytes. */
    held(appId?: string): { records: number; bytes: number } {
        let records = 0;
        let bytes = 0;
        for (const r of this.records.values()) {
            if (appId !== undefined && r.appId !== appId) continue;
            records++;
            bytes += r.size;
        }
        return { records, bytes };
    }

    /** Every record as stored now (for saving the collection to disk): a write replaces a record, never changes it, so no copy is needed. */
    dump(): Array<Omit<PersistenceRecord, 'size'>> {
        return [...this.records.values()].map(({ size: _size, ...record }) => record);
    }

    /** Puts back records from `dump()`. */
    restore(records: Array<Omit<PersistenceRecord, 'size'>>): void {
        for (const record of records) this.records.set(record._id, { ...copy(record), size: sizeOf(record) });
    }

    private store(record: PersistenceRecord): void {
        this.records.set(record._id, record);
        this.shared.changes++;
        if (!this.traffic) return;
        this.traffic.writes++;
        this.traffic.writtenBytes += record.size;
    }

    private read(records: PersistenceRecord[]): PersistenceRecord[] {
        if (this.traffic) {
            this.traffic.reads += records.length;
            for (const r of records) this.traffic.readBytes += r.size;
        }
        return records;
    }

    private remove(records: PersistenceRecord[]): void {
        for (const r of records) this.records.delete(r._id);
        this.shared.changes += records.length;
        if (this.traffic) this.traffic.removes += records.length;
    }

    private matchingAll(appId: string, wanted: Association[]): PersistenceRecord[] {
        return [...this.records.values()].filter((r) => r.appId === appId && wanted.every((w) => (r.associations ?? []).some((h) => sameAssociation(h, w))));
    }
}

/** The installed apps (`rocketchat_apps`: documents with setting values and status) and their packages. */
export class AppsCollection {
    private readonly items = new Map<string, IAppStorageItem>();

    private readonly packages = new Map<string, Buffer>();

    insert(item: IAppStorageItem): IAppStorageItem {
        if (this.items.has(item.id)) throw new Error('App already exists.');
        const stored = { ...copy(item), _id: item._id || objectId(), createdAt: new Date(), updatedAt: new Date() };
        this.items.set(item.id, stored);
        return copy(stored);
    }

    get(id: string): IAppStorageItem | undefined {
        return copy(this.items.get(id) ?? this.byInternalId(id));
    }

    all(): IAppStorageItem[] {
        return [...this.items.values()].map(copy);
    }

    remove(id: string): void {
        this.items.delete(id);
    }

    /** Applies a change to the stored document (by app id or internal `_id`); false if there is none. */
    update(id: string, change: (item: IAppStorageItem) => void): IAppStorageItem | undefined {
        const item = this.items.get(id) ?? this.byInternalId(id);
        if (!item) return undefined;
        change(item);
        item.updatedAt = new Date();
        return copy(item);
    }

    storePackage(id: string, zip: Buffer): void {
        this.packages.set(id, Buffer.from(zip));
    }

    fetchPackage(id: string): Buffer | undefined {
        const zip = this.packages.get(id);
        return zip && Buffer.from(zip);
    }

    removePackage(id: string): void {
        this.packages.delete(id);
    }

    private byInternalId(_id: string): IAppStorageItem | undefined {
        return [...this.items.values()].find((i) => i._id === _id);
    }
}

/** Server settings (`rocketchat_settings`) an app may read. */
class ServerSettings {
    private readonly settings = new Map<string, ISetting>();

    constructor() {
        const add = (id: string, type: string, value: unknown) =>
            this.settings.set(id, { id, type, packageValue: value, value, required: false, public: true, i18nLabel: id } as unknown as ISetting);
        add('Site_Url', 'string', '');
        add('Site_Name', 'string', 'Local workspace');
        add('Language', 'string', 'en');
        add('API_Default_Count', 'int', 50);
        add('API_Upper_Count_Limit', 'int', 100);
        add('API_Allow_Infinite_Count', 'boolean', true);
        add('API_Apply_permission_view-outside-room_on_users-list', 'boolean', false);
        add('Accounts_AllowAnonymousRead', 'boolean', false);
        add('UTF8_User_Names_Validation', 'string', '[0-9a-zA-Z-_.]+');
        add('Livechat_enabled', 'boolean', true);
    }

    ids(): string[] {
        return [...this.settings.keys()];
    }

    get(id: string): ISetting | undefined {
        return copy(this.settings.get(id));
    }

    set(id: string, value: unknown): void {
        const current = this.settings.get(id);
        if (!current) throw new Error(`Setting "${id}" does not exist`);
        this.settings.set(id, { ...current, value });
    }
}
