/**
 * MongoDB's default comparison order (no collation), used for `sort`.
 *
 * Types compare by their BSON rank first; missing and null are equal and
 * lowest; an empty array sorts below null. Strings compare by code point
 * (the byte order of their UTF-8 form), not by locale: "Zed" < "alice".
 */

const EMPTY_ARRAY = Symbol('empty array');

function typeRank(value: unknown): number {
    if (value === EMPTY_ARRAY) {
        return 0;
    }
    if (value === undefined || value === null) {
        return 1;
    }
    switch (typeof value) {
        case 'number':
        case 'bigint':
            return 2;
        case 'string':
            return 3;
        case 'boolean':
            return 8;
        case 'object':
            if (value instanceof Date) {
                return 9;
            }
            if (value instanceof RegExp) {
                return 11;
            }
            return Array.isArray(value) ? 5 : 4;
        default:
            return 12;
    }
}

/** Code-point order: a UTF-16 surrogate stands for a code point above every BMP unit. */
export function compareStrings(a: string, b: string): number {
    if (a === b) {
        return 0;
    }
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
        const ca = a.charCodeAt(i);
        const cb = b.charCodeAt(i);
        if (ca !== cb) {
            return codePointWeight(ca) < codePointWeight(cb) ? -1 : 1;
        }
    }
    return a.length < b.length ? -1 : 1;
}

function codePointWeight(unit: number): number {
    if (unit >= 0xd800 && unit <= 0xdfff) {
        return unit + 0x2000;
    }
    return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Compares two plain values (after any array reduction) in MongoDB order. */
export function compareValues(a: unknown, b: unknown): number {
    const rankA = typeRank(a);
    const rankB = typeRank(b);
    if (rankA !== rankB) {
        return rankA < rankB ? -1 : 1;
    }
    switch (rankA) {
        case 2:
            return compareNumbers(Number(a), Number(b));
        case 3:
            return compareStrings(a as string, b as string);
        case 4:
            return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
        case 5:
            return compareArrays(a as unknown[], b as unknown[]);
        case 8:
            return a === b ? 0 : a ? 1 : -1;
        case 9:
            return compareNumbers((a as Date).getTime(), (b as Date).getTime());
        default:
            return 0;
    }
}

function compareNumbers(a: number, b: number): number {
    if (a === b || (a !== a && b !== b)) {
        return 0;
    }
    if (a !== a) {
        return -1; // NaN sorts below every other number
    }
    if (b !== b) {
        return 1;
    }
    return a < b ? -1 : 1;
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    const length = Math.min(keysA.length, keysB.length);
    for (let i = 0; i < length; i++) {
        const byValueType = typeRank(a[keysA[i]]) - typeRank(b[keysB[i]]);
        if (byValueType !== 0) {
            return byValueType < 0 ? -1 : 1;
        }
        const byName = compareStrings(keysA[i], keysB[i]);
        if (byName !== 0) {
            return byName;
        }
        const byValue = compareValues(a[keysA[i]], b[keysB[i]]);
        if (byValue !== 0) {
            return byValue;
        }
    }
    return compareNumbers(keysA.length, keysB.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
        const byElement = compareValues(a[i], b[i]);
        if (byElement !== 0) {
            return byElement;
        }
    }
    return compareNumbers(a.length, b.length);
}

/**
 * The value a document sorts by for one key: arrays sort by their smallest
 * element ascending and their largest descending; a dotted path reaches into
 * sub-documents and through arrays of them.
 */
export function sortValue(doc: unknown, path: readonly string[], direction: 1 | -1): unknown {
    if (path.length === 1) {
        const value = (doc as Record<string, unknown>)[path[0]];
        if (!Array.isArray(value)) {
            return value;
        }
    }
    const found: unknown[] = [];
    collectPath(doc, path, 0, found);
    if (found.length === 0) {
        return undefined;
    }
    const values: unknown[] = [];
    for (const value of found) {
        if (Array.isArray(value)) {
            values.push(...(value as unknown[]));
        } else {
            values.push(value);
        }
    }
    if (values.length === 0) {
        return EMPTY_ARRAY;
    }
    let best = values[0];
    for (let i = 1; i < values.length; i++) {
        const order = compareValues(values[i], best);
        if (direction === 1 ? order < 0 : order > 0) {
            best = values[i];
        }
    }
    return best;
}

/**
 * The values a dotted path reaches in a document, through arrays of
 * sub-documents (MongoDB's path semantics); from `path[from]` on when `doc` is
 * what the first segments reached.
 */
export function valuesAtPath(doc: unknown, path: readonly string[], from = 0): unknown[] {
    const found: unknown[] = [];
    collectPath(doc, path, from, found);
    return found;
}

function collectPath(value: unknown, path: readonly string[], index: number, found: unknown[]): void {
    if (index === path.length) {
        if (value !== undefined) {
            found.push(value);
        }
        return;
    }
    if (Array.isArray(value)) {
        for (const element of value) {
            if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
                collectPath(element, path, index, found);
            }
        }
        return;
    }
    if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, path[index])) {
        collectPath((value as Record<string, unknown>)[path[index]], path, index + 1, found);
    }
}
