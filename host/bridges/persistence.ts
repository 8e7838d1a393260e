import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

import type { Association } from '../store';
import type { InstanceContext } from './context';

const plainAssociations = (list: RocketChatAssociationRecord[]): Association[] =>
    (list || []).map((a) => {
        const r = a as unknown as { model?: string; id?: string; getModel?: () => string; getID?: () => string };
        return { model: String(r.model ?? r.getModel?.()), id: String(r.id ?? r.getID?.()) };
    });

function requireObjectData(data: unknown): void {
    if (typeof data !== 'object') throw new Error('Attempted to store an invalid data type, it must be an object.');
}

/** Rocket.Chat's AppPersistenceBridge over the shared `rocketchat_apps_persistence`. */
export class HostPersistenceBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async purge(appId: string): Promise<void> {
        this.ctx.store.persistence.purge(appId);
    }

    async create(data: object, appId: string): Promise<string> {
        requireObjectData(data);
        return this.ctx.store.persistence.insert(appId, data);
    }

    async createWithAssociations(data: object, associations: Array<RocketChatAssociationRecord>, appId: string): Promise<string> {
        requireObjectData(data);
        return this.ctx.store.persistence.insert(appId, data, plainAssociations(associations));
    }

    async readById(id: string): Promise<object | undefined> {
        return this.ctx.store.persistence.findById(id);
    }

    async readByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object>> {
        return this.ctx.store.persistence.findAll(appId, plainAssociations(associations));
    }

    async remove(id: string, appId: string): Promise<object | undefined> {
        return this.ctx.store.persistence.removeById(id, appId);
    }

    async removeByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object> | undefined> {
        const removed = this.ctx.store.persistence.removeAll(appId, plainAssociations(associations));
        return removed.length ? removed : undefined;
    }

    async update(id: string, data: object): Promise<string> {
        void id;
        requireObjectData(data);
        // As in Rocket.Chat: updating a record by id is not implemented there either.
        throw new Error('Not implemented.');
    }

    async updateByAssociations(associations: Array<RocketChatAssociationRecord>, data: object, upsert = true, appId: string): Promise<string> {
        requireObjectData(data);
        return this.ctx.store.persistence.updateExact(appId, plainAssociations(associations), data, upsert);
    }
}
