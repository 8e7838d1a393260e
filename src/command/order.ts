/**
 * The chat's order: as people read names, not as MongoDB compares bytes.
 * The endpoints keep Rocket.Chat's binary order ("Zed" before "alice"); a
 * list a person scans sorts by the caller's language, ignoring case and
 * accents ("Émile" beside "Emma"), numbers by value ("ana_9" before
 * "ana_10"), and users without a name last.
 */

/** Fields the chat sorts by reading order; other sorts (status, last login) keep the endpoints' order. */
export const READING_SORT_FIELDS = ['name', 'username'] as const;

export type ReadingSortField = (typeof READING_SORT_FIELDS)[number];

export function isReadingSort(field: string): field is ReadingSortField {
    return (READING_SORT_FIELDS as readonly string[]).includes(field);
}

/** A collator for the caller's language (`de-AT`, `pt_BR`); an unknown or malformed tag falls back to English. */
export function collatorFor(language: string | undefined): Intl.Collator {
    const options: Intl.CollatorOptions = { sensitivity: 'base', numeric: true };
    try {
        return new Intl.Collator(language ? language.replace(/_/g, '-') : 'en', options);
    } catch {
        return new Intl.Collator('en', options);
    }
}

/** What reading order looks at: a user record, or a row. */
export interface Readable {
    readonly _id: unknown;
    readonly name?: unknown;
    readonly username?: unknown;
}

const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * Compares rows (`name`, `username`, `_id` fields) in reading order by `field`,
 * ascending or descending. Rows without that text come last either way; ties
 * fall back to the other text, then to `_id`, so the order is total and pages
 * neither overlap nor skip.
 */
export function readingOrder(collator: Intl.Collator, field: ReadingSortField, direction: 1 | -1 = 1): (a: Readable, b: Readable) => number {
    const other: ReadingSortField = field === 'name' ? 'username' : 'name';
    return (a, b) => {
        const x = textOf(a[field]);
        const y = textOf(b[field]);
        if (x === undefined || y === undefined) {
            if (x !== y) return x === undefined ? 1 : -1;
        } else {
            const order = collator.compare(x, y);
            if (order !== 0) return order * direction;
        }
        const tie = collator.compare(textOf(a[other]) ?? '', textOf(b[other]) ?? '');
        if (tie !== 0) return tie * direction;
        const [idA, idB] = [String(a._id), String(b._id)];
        return idA < idB ? -1 : idA > idB ? 1 : 0;
    };
}

/**
 * Items `offset` to `offset + count` of `items` in the order of `compare`.
 * A near page is picked in one pass (each item compared with the worst kept
 * so far); a far one sorts everything.
 */
export function pageInOrder<T>(items: readonly T[], compare: (a: T, b: T) => number, offset: number, count: number): T[] {
    const end = offset + count;
    if (end * 4 >= items.length) {
        return [...items].sort(compare).slice(offset, end);
    }
    const best: T[] = [];
    for (const item of items) {
        if (best.length === end && compare(item, best[end - 1]) >= 0) continue;
        let low = 0;
        let high = best.length;
        while (low < high) {
            const middle = (low + high) >> 1;
            if (compare(best[middle], item) <= 0) low = middle + 1;
            else high = middle;
        }
        best.splice(low, 0, item);
        if (best.length > end) best.pop();
    }
    return best.slice(offset, end);
}
