import type { Directory, Filter } from '../core/directory';
import { recordTest } from '../core/filters';
import type { UserRecord } from '../core/record';

/**
 * Filters the chat offers beyond the endpoints' parameters: search that
 * ignores accents and case, last login older than some days, and custom
 * fields. They narrow the same directory through the Filter interface.
 */

/** Letters that Unicode does not decompose into a base letter and an accent. */
const FOLDED_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower case without accents: "Jérôme Dupré" → "jerome dupre". */
export function fold(value: string): string {
    const lower = value.toLowerCase();
    if (!/[\u0080-\uffff]/.test(lower)) {
        return lower;
    }
    return lower
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .replace(/[ßæœøłđðþı]/g, (letter) => FOLDED_LETTERS[letter]);
}

/** Each record's folded search keys, computed once per record (a changed user is a new record). */
const foldedKeys = new WeakMap<UserRecord, { names: string; emails: string }>();

function keysOf(record: UserRecord): { names: string; emails: string } {
    let keys = foldedKeys.get(record);
    if (!keys) {
        keys = {
            names: `${fold(record.username ?? '')}\n${fold(record.name ?? '')}`,
            emails: (record.emails ?? []).map((email) => fold(email.address)).join('\n'),
        };
        foldedKeys.set(record, keys);
    }
    return keys;
}

/** Every word is in the username or name (or an email address, when asked), ignoring accents and case. */
export function matchesWords(search: string, includeEmails: boolean): Filter | undefined {
    const words = fold(search).split(/\s+/).filter(Boolean);
    if (words.length === 0) {
        return undefined;
    }
    return recordTest(`words:${includeEmails}:${JSON.stringify(words)}`, (record) => {
        const keys = keysOf(record);
        return words.every((word) => keys.names.includes(word) || (includeEmails && keys.emails.includes(word)));
    });
}

/** Whether the search words are all found in the username or name (as opposed to only in an email). */
export function wordsInNames(search: string, record: UserRecord): boolean {
    const keys = keysOf(record);
    return fold(search)
        .split(/\s+/)
        .filter(Boolean)
        .every((word) => keys.names.includes(word));
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Last login older than `days` days before the start of today (UTC), or never:
 * a cutoff that stays the same all day, so the filter's cached result is reused.
 */
export function inactiveFor(days: number, now: number = Date.now()): Filter {
    const cutoff = new Date(Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS).toISOString();
    return recordTest(`inactive:${cutoff}`, (record) => record.lastLogin === undefined || record.lastLogin < cutoff);
}

/** A custom field equal to the value, ignoring accents and case (numbers compare as their text). */
export function customFieldIs(field: string, value: string): Filter {
    const wanted = fold(value);
    return recordTest(`custom:${JSON.stringify([field, wanted])}`, (record) => {
        const actual = record.customFields?.[field];
        return (typeof actual === 'string' || typeof actual === 'number') && fold(String(actual)) === wanted;
    });
}

/** What the workspace's users hold: their roles, and each custom field with its values (few-valued fields only). */
export interface Facets {
    roles: string[];
    /** Every custom field, with its values when there are few text values to choose from (else none). */
    customFields: Map<string, string[]>;
}

const MAX_LISTED_VALUES = 20;
const FACETS_MAX_AGE_MS = 60_000;
const NOT_LISTABLE = '\u0000';
const facetsCache = new WeakMap<Directory, { at: number; facets: Facets }>();

/** The facets of a directory, recounted at most once a minute (one pass over the records). */
export function facetsOf(directory: Directory, now: number = Date.now()): Facets {
    const cached = facetsCache.get(directory);
    if (cached && now - cached.at < FACETS_MAX_AGE_MS) {
        return cached.facets;
    }
    const roles = new Set<string>();
    const values = new Map<string, Set<string>>();
    for (const record of directory.records()) {
        record.roles?.forEach((role) => roles.add(role));
        for (const [field, value] of Object.entries(record.customFields ?? {})) {
            let seen = values.get(field);
            if (!seen) {
                seen = new Set();
                values.set(field, seen);
            }
            // Only text fields with few values can be offered as choices; others are still filtered on by the command.
            if (seen.size <= MAX_LISTED_VALUES) {
                seen.add(typeof value === 'string' ? value : NOT_LISTABLE);
            }
        }
    }
    const byText = (a: string, b: string) => a.localeCompare(b);
    const listable = (seen: Set<string>) => seen.size <= MAX_LISTED_VALUES && !seen.has(NOT_LISTABLE);
    const customFields = new Map([...values].sort(([a], [b]) => byText(a, b)).map(([field, seen]) => [field, listable(seen) ? [...seen].sort(byText) : []]));
    const facets = { roles: [...roles].sort(byText), customFields };
    facetsCache.set(directory, { at: now, facets });
    return facets;
}
