/** In-memory storages for the Apps-Engine: app metadata, app packages and app logs. */
import * as crypto from 'crypto';

import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { IMarketplaceInfo } from '@rocket.chat/apps-engine/server/marketplace';
import { AppLogStorage, AppMetadataStorage, AppSourceStorage, IAppLogStorageFindOptions, IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';

export class MemoryMetadataStorage extends AppMetadataStorage {
    private readonly items = new Map<string, IAppStorageItem>();

    constructor() {
        super('memory');
    }

    async create(item: IAppStorageItem): Promise<IAppStorageItem> {
        if (this.items.has(item.id)) throw new Error('App already exists.');
        item._id = item._id || crypto.randomBytes(12).toString('hex');
        item.createdAt = new Date();
        item.updatedAt = new Date();
        this.items.set(item.id, item);
        return item;
    }

    async retrieveOne(id: string): Promise<IAppStorageItem | null> {
        return this.items.get(id) ?? null;
    }

    async retrieveAll(): Promise<Map<string, IAppStorageItem>> {
        return new Map(this.items);
    }

    async retrieveAllPrivate(): Promise<Map<string, IAppStorageItem>> {
        return new Map([...this.items].filter(([, item]) => item.installationSource === 'private'));
    }

    async remove(id: string): Promise<{ success: boolean }> {
        this.items.delete(id);
        return { success: true };
    }

    async updatePartialAndReturnDocument(item: Partial<IAppStorageItem>, options?: { unsetPermissionsGranted?: boolean }): Promise<IAppStorageItem> {
        const id = item.id ?? [...this.items.values()].find((i) => i._id === item._id)?.id;
        const current = id ? this.items.get(id) : undefined;
        if (!current) throw new Error(`No app stored with id ${item.id ?? item._id}`);
        Object.assign(current, item, { updatedAt: new Date() });
        if (options?.unsetPermissionsGranted) delete current.permissionsGranted;
        return current;
    }

    private byInternalId(_id: string): IAppStorageItem | undefined {
        return [...this.items.values()].find((i) => i._id === _id || i.id === _id);
    }

    async updateStatus(_id: string, status: AppStatus): Promise<boolean> {
        const item = this.byInternalId(_id);
        if (!item) return false;
        item.status = status;
        return true;
    }

    async updateSetting(_id: string, setting: ISetting): Promise<boolean> {
        const item = this.byInternalId(_id);
        if (!item) return false;
        item.settings = { ...item.settings, [setting.id]: setting };
        return true;
    }

    async updateAppInfo(_id: string, info: IAppInfo): Promise<boolean> {
        const item = this.byInternalId(_id);
        if (!item) return false;
        item.info = info;
        return true;
    }

    async updateMarketplaceInfo(_id: string, marketplaceInfo: IMarketplaceInfo[]): Promise<boolean> {
        const item = this.byInternalId(_id);
        if (!item) return false;
        item.marketplaceInfo = marketplaceInfo;
        return true;
    }
}

export class MemorySourceStorage extends AppSourceStorage {
    private readonly zips = new Map<string, Buffer>();

    async store(item: IAppStorageItem, zip: Buffer): Promise<string> {
        this.zips.set(item.id, zip);
        return `memory:${item.id}`;
    }

    async fetch(item: IAppStorageItem): Promise<Buffer> {
        const zip = this.zips.get(item.id);
        if (!zip) throw new Error(`No package stored for app ${item.id}`);
        return zip;
    }

    async update(item: IAppStorageItem, zip: Buffer): Promise<string> {
        return this.store(item, zip);
    }

    async remove(item: IAppStorageItem): Promise<void> {
        this.zips.delete(item.id);
    }
}

export class MemoryLogStorage extends AppLogStorage {
    private readonly entries: ILoggerStorageEntry[] = [];

    constructor(private readonly onEntry?: (entry: ILoggerStorageEntry) => void) {
        super('memory');
    }

    async findPaginated(query: { [field: string]: unknown }, options: IAppLogStorageFindOptions = {}): Promise<{ logs: ILoggerStorageEntry[]; total: number }> {
        const matching = this.entries.filter((e) =>
            Object.entries(query).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v),
        );
        const skip = options.skip ?? 0;
        const limit = options.limit ?? matching.length;
        return { logs: matching.slice(skip, skip + limit), total: matching.length };
    }

    async storeEntries(logEntry: ILoggerStorageEntry): Promise<ILoggerStorageEntry> {
        this.entries.push(logEntry);
        if (this.entries.length > 5000) this.entries.splice(0, this.entries.length - 5000);
        this.onEntry?.(logEntry);
        return logEntry;
    }

    async getEntriesFor(appId: string): Promise<Array<ILoggerStorageEntry>> {
        return this.entries.filter((e) => e.appId === appId);
    }

    async removeEntriesFor(appId: string): Promise<void> {
        for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].appId === appId) this.entries.splice(i, 1);
    }
}
