import type { KeyedRecordStore } from '../../src/cluster/store';

interface StoredRecord {
    keys: readonly string[];
    data: object;
}

/**
 * The app persistence of a cluster, with the semantics of Rocket.Chat's
 * bridge: reads and removals match records holding all the given keys, a put
 * replaces the record whose key list is exactly the given one. Data is copied
 * in and out as JSON, as it would travel.
 */
export class MemoryDatabase {
    records: StoredRecord[] = [];

    /** A view of the database as one instance's app sees it, counting its calls. */
    instance(canWrite = true): InstanceStore {
        return new InstanceStore(this, canWrite);
    }

    bytes(prefix = ''): number {
        return this.records
            .filter((record) => record.keys.some((key) => key.startsWith(prefix)))
            .reduce((sum, record) => sum + JSON.stringify(record.data).length, 0);
    }
}

const holdsAll = (record: StoredRecord, keys: readonly string[]) => keys.every((key) => record.keys.includes(key));
const copy = <T>(data: T): T => JSON.parse(JSON.stringify(data));

export class InstanceStore implements KeyedRecordStore {
    calls: string[] = [];
    /** The keys of every find, in order. */
    readKeys: string[] = [];

    constructor(
        private readonly db: MemoryDatabase,
        public canWrite: boolean,
    ) {}

    count(method: string): number {
        return this.calls.filter((call) => call === method).length;
    }

    async add(keys: readonly string[], data: object): Promise<void> {
        this.write('add');
        this.db.records.push({ keys: [...keys], data: copy(data) });
    }

    async put(keys: readonly string[], data: object): Promise<void> {
        this.write('put');
        const existing = this.db.records.find((record) => record.keys.length === keys.length && record.keys.every((key, index) => key === keys[index]));
        if (existing) {
            existing.data = copy(data);
        } else {
            this.db.records.push({ keys: [...keys], data: copy(data) });
        }
    }

    async find(keys: readonly string[]): Promise<object[]> {
        this.calls.push('find');
        this.readKeys.push(...keys);
        await Promise.resolve();
        return this.db.records.filter((record) => holdsAll(record, keys)).map((record) => copy(record.data));
    }

    async drop(keys: readonly string[]): Promise<void> {
        this.write('drop');
        this.db.records = this.db.records.filter((record) => !holdsAll(record, keys));
    }

    private write(method: string): void {
        if (!this.canWrite) {
            throw new Error('No persistence writer yet');
        }
        this.calls.push(method);
    }
}
