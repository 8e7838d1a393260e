import { invalidJsonQuery, ApiError, rawText } from './errors';
import { parseJsonObject } from './params';
import { isPlainObject } from './record';
import { compileRegex, UnsafeRegexError } from './regex';

/**
 * The `query` parameter of users.list: a MongoDB filter, parsed and checked
 * here, evaluated in memory by query.ts.
 *
 * Only top-level `$and`/`$or` and conditions on fields the caller may see are
 * accepted; every operator is on an allow-list (no `$where`, `$expr` or
 * anything else that runs code), and `$regex` runs in linear time.
 */

const MAX_DEPTH = 8;
/** Bounds that keep the worst query cheap: the text of the parameter, and any list in it. */
const MAX_QUERY_LENGTH = 8192;
const MAX_LIST_LENGTH = 100;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const TYPE_ALIASES = new Set(['string', 'number', 'bool', 'array', 'null']);

const queryError = (message: string): ApiError => invalidJsonQuery('error-invalid-query', message);

/** Parses the raw parameter (a JSON string) into a validated filter document. */
export function parseQuery(raw: unknown, isVisibleRoot: (field: string) => boolean): Record<string, unknown> {
    const query = parseJsonObject(raw);
    if (!query) {
        throw queryError(`Invalid query parameter provided: "${rawText(raw)}"`);
    }
    validateFilter(query, isVisibleRoot, 0);
    if ((raw as string).length > MAX_QUERY_LENGTH) {
        throw queryError(`Invalid query: longer than ${MAX_QUERY_LENGTH} characters`);
    }
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
                if (operand.length > MAX_LIST_LENGTH) {
                    throw queryError(`Invalid query: ${operator} takes at most ${MAX_LIST_LENGTH} values`);
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
