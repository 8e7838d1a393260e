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
}

const sameAssociation = (a: Association, b: Association) => a.model === b.model && a.id === b.id;

/**
 * `rocketchat_apps_persistence` as Rocket.Chat's AppPersistenceBridge uses it:
 * records `{appId, associations, data}`; reading and removing by associations
 * match `associations: {$all: [...]}` (every given association, in any
 * order, others allowed); updating by associations matches the exact list
 * (`{appId, associations}`, order included) and upserts.
 */
export class PersistenceCollection {
    private readonly records = new Map<string, PersistenceRecord>();

    insert(appId: string, data: object, associations?: Association[]): string {
        const _id = objectId();
        this.records.set(_id, { _id, appId, ...(associations && { associations: copy(associations) }), data: copy(data) });
        return _id;
    }

    /** findOneById: no app filter, as in Rocket.Chat. */
    findById(id: string): object | undefined {
        return copy(this.records.get(id)?.data);
    }

    findAll(appId: string, associations: Association[]): object[] {
        return this.matchingAll(appId, associations).map((r) => copy(r.data));
    }

    removeById(id: string, appId: string): object | undefined {
        const record = this.records.get(id);
        if (!record || record.appId !== appId) return undefined;
        this.records.delete(id);
        return record.data;
    }

    removeAll(appId: string, associations: Association[]): object[] {
        const records = this.matchingAll(appId, associations);
        for (const r of records) this.records.delete(r._id);
        return records.map((r) => r.data);
    }

    /** updateOne({appId, associations}, {$set: {data}}, {upsert}): the id of an inserted record, else ''. */
    updateExact(appId: string, associations: Association[], data: object, upsert: boolean): string {
        for (const record of this.records.values()) {
            const have = record.associations ?? [];
            if (record.appId === appId && have.length === associations.length && have.every((h, i) => sameAssociation(h, associations[i]))) {
                record.data = copy(data);
                return '';
            }
        }
        return upsert ? this.insert(appId, data, associations) : '';
    }

    purge(appId: string): void {
        for (const [id, record] of this.records) if (record.appId === appId) this.records.delete(id);
    }

    count(appId?: string): number {
        return [...this.records.values()].filter((r) => appId === undefined || r.appId === appId).length;
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
