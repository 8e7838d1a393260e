import sift, { createEqualsOperation } from 'sift';

import { invalidJsonQuery, ApiError, rawText } from './errors';
import { isPlainObject, UserRecord } from './record';
import { compileRegex, UnsafeRegexError } from './regex';

/**
 * The `query` parameter of users.list: a MongoDB filter, evaluated in memory.
 *
 * Only top-level `$and`/`$or` and conditions on fields the caller may see are
 * accepted; every operator is on an allow-list (no `$where`, `$expr` or
 * anything else that runs code), and `$regex` runs in linear time.
 */

export type RecordTest = (record: UserRecord) => boolean;

const MAX_DEPTH = 8;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const TYPE_ALIASES = new Set(['string', 'number', 'bool', 'array', 'null']);

const queryError = (message: string): ApiError => invalidJsonQuery('error-invalid-query', message);

/** Parses the raw parameter (a JSON string) into a validated filter document. */
export function parseQuery(raw: unknown, isVisibleRoot: (field: string) => boolean): Record<string, unknown> {
    let query: unknown;
    try {
        query = typeof raw === 'string' ? JSON.parse(raw) : undefined;
    } catch {
        query = undefined;
    }
    if (!isPlainObject(query)) {
        throw queryError(`Invalid query parameter provided: "${rawText(raw)}"`);
    }
    validateFilter(query, isVisibleRoot, 0);
    return query;
}

function validateFilter(filter: Record<string, unknown>, isVisibleRoot: (field: string) => boolean, depth: number): void {
    if (depth > MAX_DEPTH) {
        throw queryError(`Invalid query: nested deeper than ${MAX_DEPTH} levels`);
    }
    for (const [key, value] of Object.entries(filter)) {
        if (key === '$and' || key === '$or') {
            if (!Array.isArray(value) || value.length === 0 || !value.every(isPlainObject)) {
                throw queryError(`Invalid query: ${key} must be a non-empty array of objects`);
            }
            value.forEach((clause) => validateFilter(clause, isVisibleRoot, depth + 1));
        } else if (key.startsWith('$')) {
            throw queryError(`Invalid operation: ${key}`);
        } else {
            validatePath(key, isVisibleRoot);
            validateCondition(value, depth + 1);
        }
    }
}

function validatePath(path: string, isVisibleRoot: (field: string) => boolean): void {
    const segments = path.split('.');
    const malformed = segments.some((segment) => segment === '' || segment.startsWith('$') || FORBIDDEN_SEGMENTS.has(segment));
    if (malformed || !isVisibleRoot(segments[0])) {
        throw queryError(`Invalid attribute: ${path}`);
    }
}

/** A field's condition: a literal to compare with, or a document of operators. */
function validateCondition(condition: unknown, depth: number): void {
    if (depth > MAX_DEPTH) {
        throw queryError(`Invalid query: nested deeper than ${MAX_DEPTH} levels`);
    }
    if (!isPlainObject(condition) || !Object.keys(condition).some((key) => key.startsWith('$'))) {
        validateLiteral(condition, depth);
        return;
    }
    for (const [operator, operand] of Object.entries(condition)) {
        switch (operator) {
            case '$eq':
            case '$ne':
                validateLiteral(operand, depth);
                break;
            case '$gt':
            case '$gte':
            case '$lt':
            case '$lte':
                if (operand !== null && typeof operand === 'object') {
                    throw queryError(`Invalid query: ${operator} takes a string, number, boolean or null`);
                }
                break;
            case '$in':
            case '$nin':
            case '$all':
                if (!Array.isArray(operand)) {
                    throw queryError(`Invalid query: ${operator} needs an array`);
                }
                operand.forEach((item) => validateLiteral(item, depth));
                break;
            case '$exists':
                if (typeof operand !== 'boolean' && operand !== 0 && operand !== 1) {
                    throw queryError('Invalid query: $exists takes true or false');
                }
                break;
            case '$size':
                if (!Number.isInteger(operand) || (operand as number) < 0) {
                    throw queryError('Invalid query: $size takes a non-negative integer');
                }
                break;
            case '$type':
                if (typeof operand !== 'string' || !TYPE_ALIASES.has(operand)) {
                    throw queryError(`Invalid query: $type takes one of ${[...TYPE_ALIASES].join(', ')}`);
                }
                break;
            case '$regex':
                validateRegex(operand, condition.$options);
                break;
            case '$options':
                if (!('$regex' in condition)) {
                    throw queryError('Invalid query: $options without $regex');
                }
                break;
            case '$not':
                if (!isPlainObject(operand) || !Object.keys(operand).every((key) => key.startsWith('$'))) {
                    throw queryError('Invalid query: $not takes a document of operators');
                }
                validateCondition(operand, depth + 1);
                break;
            case '$elemMatch':
                if (!isPlainObject(operand)) {
                    throw queryError('Invalid query: $elemMatch takes a document');
                }
                if (Object.keys(operand).some((key) => key.startsWith('$'))) {
                    validateCondition(operand, depth + 1);
                } else {
                    validateFilter(operand, () => true, depth + 1);
                }
                break;
            default:
                throw queryError(`Invalid operation: ${operator}`);
        }
    }
}

/** Literal values may nest documents and arrays, but never operators. */
function validateLiteral(value: unknown, depth: number): void {
    if (depth > MAX_DEPTH) {
        throw queryError(`Invalid query: nested deeper than ${MAX_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
        value.forEach((item) => validateLiteral(item, depth + 1));
    } else if (isPlainObject(value)) {
        for (const [key, item] of Object.entries(value)) {
            if (key.startsWith('$')) {
                throw queryError(`Invalid operation: ${key}`);
            }
            if (FORBIDDEN_SEGMENTS.has(key)) {
                throw queryError(`Invalid attribute: ${key}`);
            }
            validateLiteral(item, depth + 1);
        }
    }
}

function validateRegex(pattern: unknown, options: unknown): void {
    if (typeof pattern !== 'string' || (options !== undefined && typeof options !== 'string')) {
        throw queryError('Invalid query: $regex takes a string pattern and $options a string');
    }
    try {
        compileRegex(pattern, options);
    } catch (error) {
        if (error instanceof UnsafeRegexError) {
            throw queryError(`Invalid query: ${error.message}`);
        }
        throw error;
    }
}

/** Turns a validated filter into a test of records. */
export function compileQuery(query: Record<string, unknown>): RecordTest {
    return directTest(query) ?? siftTest(query);
}

/**
 * The common shape, conditions on top-level fields that are a literal or a
 * `$regex` (`{"name": {"$regex": "g"}}`, `{"type": "bot"}`), tested directly
 * with MongoDB's meaning (an array field matches when an element does),
 * without sift's general machinery on every record.
 */
function directTest(query: Record<string, unknown>): RecordTest | undefined {
    const tests: RecordTest[] = [];
    for (const [field, condition] of Object.entries(query)) {
        if (field.startsWith('$') || field.includes('.')) {
            return undefined;
        }
        let matches: (value: unknown) => boolean;
        if (typeof condition === 'string' || typeof condition === 'number' || typeof condition === 'boolean') {
            matches = (value) => value === condition;
        } else if (isPlainObject(condition) && typeof condition.$regex === 'string' && Object.keys(condition).every((key) => key === '$regex' || key === '$options')) {
            const test = compileRegex(condition.$regex, condition.$options as string | undefined);
            matches = (value) => typeof value === 'string' && test(value);
        } else {
            return undefined;
        }
        tests.push((record) => {
            const value = (record as unknown as Record<string, unknown>)[field];
            return Array.isArray(value) ? value.some(matches) : matches(value);
        });
    }
    return (record) => tests.every((test) => test(record));
}

function siftTest(query: Record<string, unknown>): RecordTest {
    return sift(query, {
        operations: {
            $regex: (pattern: string, ownerQuery: Record<string, unknown>, options: Parameters<typeof createEqualsOperation>[2]) => {
                const test = compileRegex(pattern, ownerQuery.$options as string | undefined);
                return createEqualsOperation((value: unknown) => typeof value === 'string' && test(value), ownerQuery, options);
            },
        },
    }) as RecordTest;
}
