/**
 * What the store's collections do with their documents as Rocket.Chat's
 * database does: ids as Rocket.Chat makes them, values copied going in and
 * coming out (no two instances ever share an object).
 */
import * as crypto from 'crypto';

/** Meteor's `Random.id()`: 17 characters (users, rooms, messages, uploads, trigger ids). */
export function randomId(length = 17): string {
    const chars = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
    let out = '';
    for (let i = 0; i < length; i++) out += chars[Math.floor(Math.random() * chars.length)];
    return out;
}

/** MongoDB's ObjectId, as 24 hex characters (app persistence records, app documents, scheduler jobs). */
export function objectId(): string {
    return crypto.randomBytes(12).toString('hex');
}

export function copy<T>(value: T): T {
    return value === undefined || value === null ? value : structuredClone(value);
}
