import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

/**
 * The app's persistence as the cluster shares it (one MongoDB collection for
 * every instance), reduced to what Rocket.Chat's bridge really offers: records
 * tagged with keys (associations), read and removed by *all* of the given
 * keys, and replaced by their exact key list (`updateByAssociations` with
 * upsert; `update` by id is not implemented by Rocket.Chat). There is no
 * compare-and-set, no range query and no change stream.
 */
export interface KeyedRecordStore {
    /** Adds a record under these keys. */
    add(keys: readonly string[], data: object): Promise<void>;
    /** Creates or replaces the one record whose keys are exactly these. */
    put(keys: readonly string[], data: object): Promise<void>;
    /** Every record holding all of these keys. */
    find(keys: readonly string[]): Promise<object[]>;
    /** Removes every record holding all of these keys. */
    drop(keys: readonly string[]): Promise<void>;
}

const association = (key: string) => new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, key);
const associations = (keys: readonly string[]) => keys.map(association);

/**
 * The store over the engine's accessors. Reads need only the app's reader;
 * writes need an `IPersistence`, which the engine hands to handlers only (an
 * endpoint, an event, a job), so the latest one handed over is kept.
 */
export class PersistenceStore implements KeyedRecordStore {
    private writer?: IPersistence;

    constructor(private readonly reader: () => IPersistenceRead) {}

    /** Remembers a writer handed to a handler; the engine's writers are stateless proxies, valid after the handler returns. */
    attach(writer: IPersistence | undefined): void {
        if (writer) {
            this.writer = writer;
        }
    }

    get canWrite(): boolean {
        return !!this.writer;
    }

    async add(keys: readonly string[], data: object): Promise<void> {
        await this.write().createWithAssociations(data, associations(keys));
    }

    async put(keys: readonly string[], data: object): Promise<void> {
        await this.write().updateByAssociations(associations(keys), data, true);
    }

    async find(keys: readonly string[]): Promise<object[]> {
        return (await this.reader().readByAssociations(associations(keys))) ?? [];
    }

    async drop(keys: readonly string[]): Promise<void> {
        await this.write().removeByAssociations(associations(keys));
    }

    private write(): IPersistence {
        if (!this.writer) {
            throw new Error('No persistence writer yet: the app has handled no request, event or job');
        }
        return this.writer;
    }
}
