/**
 * A user in Rocket.Chat's REST shape, converted once from the engine's `IUser`
 * when it enters the directory.
 */
export interface UserRecord {
    _id: string;
    username?: string;
    name?: string;
    emails?: Array<{ address: string; verified: boolean }>;
    type?: string;
    roles?: string[];
    status?: string;
    active?: boolean;
    lastLogin?: string;
    createdAt?: string;
    _updatedAt?: string;
    utcOffset?: number;
    statusText?: string;
    customFields?: Record<string, unknown>;
    federated?: boolean;
    freeSwitchExtension?: string;
    nameInsensitive: string;
}

/** Every field a record can hold, in the order responses list them. */
export const RECORD_FIELDS: ReadonlyArray<keyof UserRecord> = [
    '_id',
    'username',
    'emails',
    'type',
    'roles',
    'status',
    'active',
    'name',
    'lastLogin',
    'createdAt',
    '_updatedAt',
    'utcOffset',
    'statusText',
    'customFields',
    'federated',
    'freeSwitchExtension',
    'nameInsensitive',
];

/**
 * The engine's `IUser` as it arrives from the runtime: dates may come as Date
 * objects or ISO strings, and a few fields are newer than the typings.
 */
export interface EngineUser {
    id: string;
    username?: string;
    name?: string;
    emails?: Array<{ address?: unknown; verified?: unknown }>;
    type?: string;
    roles?: string[];
    status?: string;
    isEnabled?: boolean;
    lastLoginAt?: Date | string;
    createdAt?: Date | string;
    updatedAt?: Date | string;
    utcOffset?: number;
    statusText?: string;
    customFields?: Record<string, unknown>;
    isFederated?: boolean;
    sipExtension?: string;
}

export function toUserRecord(user: EngineUser): UserRecord {
    const record: UserRecord = { _id: String(user.id), nameInsensitive: typeof user.name === 'string' ? user.name.toLowerCase() : '' };
    setIf(record, 'username', typeof user.username === 'string' ? user.username : undefined);
    setIf(record, 'name', typeof user.name === 'string' ? user.name : undefined);
    if (Array.isArray(user.emails)) {
        record.emails = user.emails
            .filter((email) => email && typeof email.address === 'string')
            .map((email) => ({ address: email.address as string, verified: email.verified === true }));
    }
    setIf(record, 'type', typeof user.type === 'string' ? user.type : undefined);
    setIf(record, 'roles', Array.isArray(user.roles) ? user.roles.filter((role) => typeof role === 'string') : undefined);
    setIf(record, 'status', typeof user.status === 'string' ? user.status : undefined);
    setIf(record, 'active', typeof user.isEnabled === 'boolean' ? user.isEnabled : undefined);
    setIf(record, 'lastLogin', isoDate(user.lastLoginAt));
    setIf(record, 'createdAt', isoDate(user.createdAt));
    setIf(record, '_updatedAt', isoDate(user.updatedAt));
    setIf(record, 'utcOffset', typeof user.utcOffset === 'number' ? user.utcOffset : undefined);
    setIf(record, 'statusText', typeof user.statusText === 'string' ? user.statusText : undefined);
    setIf(record, 'customFields', isPlainObject(user.customFields) ? user.customFields : undefined);
    setIf(record, 'federated', typeof user.isFederated === 'boolean' ? user.isFederated : undefined);
    setIf(record, 'freeSwitchExtension', typeof user.sipExtension === 'string' ? user.sipExtension : undefined);
    return record;
}

function setIf<K extends keyof UserRecord>(record: UserRecord, key: K, value: UserRecord[K] | undefined): void {
    if (value !== undefined) {
        record[key] = value;
    }
}

function isoDate(value: Date | string | undefined): string | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
