/**
 * The engine's storages for one instance: app documents and packages live in
 * the shared store (every instance reads the same installed app and setting
 * values, as from MongoDB and GridFS); app logs stay with the instance. They
 * extend the running engine's own classes, which it checks with `instanceof`.
 */
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { IMarketplaceInfo } from '@rocket.chat/apps-engine/server/marketplace';
import type { AppLogStorage, AppMetadataStorage, AppSourceStorage, IAppLogStorageFindOptions, IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';

import type { Engine } from './engine';
import type { AppsCollection } from './store';

export interface InstanceStorages {
    metadataStorage: AppMetadataStorage;
    sourceStorage: AppSourceStorage;
    logStorage: AppLogStorage & { getEntriesFor(appId: string): Promise<ILoggerStorageEntry[]> };
}

export function createStorages(engine: Engine, apps: AppsCollection, onLogEntry: (entry: ILoggerStorageEntry) => void): InstanceStorages {
    class MetadataStorage extends engine.storage.AppMetadataStorage {
        constructor() {
            super('memory');
        }

        async create(item: IAppStorageItem): Promise<IAppStorageItem> {
            return apps.insert(item);
        }

        async retrieveOne(id: string): Promise<IAppStorageItem | null> {
            return apps.get(id) ?? null;
        }

        async retrieveAll(): Promise<Map<string, IAppStorageItem>> {
            return new Map(apps.all().map((item) => [item.id, item]));
        }

        async retrieveAllPrivate(): Promise<Map<string, IAppStorageItem>> {
            return new Map(
                apps
                    .all()
                    .filter((item) => item.installationSource === engine.storage.AppInstallationSource.PRIVATE)
                    .map((item) => [item.id, item]),
            );
        }

        async remove(id: string): Promise<{ success: boolean }> {
            apps.remove(id);
            return { success: true };
        }

        async updatePartialAndReturnDocument(item: Partial<IAppStorageItem>, options?: { unsetPermissionsGranted?: boolean }): Promise<IAppStorageItem> {
            const updated = apps.update((item.id ?? item._id) as string, (current) => {
                Object.assign(current, structuredClone(item));
                if (options?.unsetPermissionsGranted) delete current.permissionsGranted;
            });
            if (!updated) throw new Error(`No app stored with id ${item.id ?? item._id}`);
            return updated;
        }

        async updateStatus(_id: string, status: AppStatus): Promise<boolean> {
            return !!apps.update(_id, (item) => {
                item.status = status;
            });
        }

        async updateSetting(_id: string, setting: ISetting): Promise<boolean> {
            return !!apps.update(_id, (item) => {
                item.settings = { ...item.settings, [setting.id]: structuredClone(setting) };
            });
        }

        async updateAppInfo(_id: string, info: IAppInfo): Promise<boolean> {
            return !!apps.update(_id, (item) => {
                item.info = structuredClone(info);
            });
        }

        async updateMarketplaceInfo(_id: string, marketplaceInfo: IMarketplaceInfo[]): Promise<boolean> {
            return !!apps.update(_id, (item) => {
                item.marketplaceInfo = structuredClone(marketplaceInfo);
            });
        }
    }

    class SourceStorage extends engine.storage.AppSourceStorage {
        async store(item: IAppStorageItem, zip: Buffer): Promise<string> {
            apps.storePackage(item.id, zip);
            return `memory:${item.id}`;
        }

        async fetch(item: IAppStorageItem): Promise<Buffer> {
            const zip = apps.fetchPackage(item.id);
            if (!zip) throw new Error(`No package stored for app ${item.id}`);
            return zip;
        }

        async update(item: IAppStorageItem, zip: Buffer): Promise<string> {
            return this.store(item, zip);
        }

        async remove(item: IAppStorageItem): Promise<void> {
            apps.removePackage(item.id);
        }
    }

    class LogStorage extends engine.storage.AppLogStorage {
        private readonly entries: ILoggerStorageEntry[] = [];

        constructor() {
            super('memory');
        }

        async findPaginated(
            query: { [field: string]: unknown },
            options: IAppLogStorageFindOptions = {},
        ): Promise<{ logs: ILoggerStorageEntry[]; total: number }> {
            const matching = this.entries.filter((e) => Object.entries(query).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v));
            const skip = options.skip ?? 0;
            const limit = options.limit ?? matching.length;
            return { logs: matching.slice(skip, skip + limit), total: matching.length };
        }

        async storeEntries(logEntry: ILoggerStorageEntry): Promise<ILoggerStorageEntry> {
            this.entries.push(logEntry);
            if (this.entries.length > 5000) this.entries.splice(0, this.entries.length - 5000);
            onLogEntry(logEntry);
            return logEntry;
        }

        async getEntriesFor(appId: string): Promise<Array<ILoggerStorageEntry>> {
            return this.entries.filter((e) => e.appId === appId);
        }

        async removeEntriesFor(appId: string): Promise<void> {
            for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].appId === appId) this.entries.splice(i, 1);
        }
    }

    return { metadataStorage: new MetadataStorage(), sourceStorage: new SourceStorage(), logStorage: new LogStorage() };
}
