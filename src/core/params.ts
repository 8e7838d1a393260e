import Ajv, { ValidateFunction } from 'ajv';

import { Config } from './config';
import { invalidJsonQuery, invalidParams, invalidSort, rawText } from './errors';
import { isPlainObject } from './record';

/** Query-string values as the server's Express parser delivers them. */
export type QueryParams = Record<string, unknown>;

export interface Page {
    offset: number;
    /** `Infinity` when the caller asked for everything and the settings allow it. */
    count: number;
}

const DIGITS = /^\d+$/;

function nonNegativeInteger(name: string, value: unknown): number | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
        return value;
    }
    if (typeof value === 'string' && DIGITS.test(value)) {
        return Math.min(Number(value), Number.MAX_SAFE_INTEGER);
    }
    throw invalidParams(`The '${name}' parameter must be a non-negative integer`);
}

/** `offset`/`count` the way Rocket.Chat's getPaginationItems reads them, with bad values refused. */
export function parsePage(params: QueryParams, config: Config): Page {
    const offset = nonNegativeInteger('offset', params.offset) ?? 0;
    let count = nonNegativeInteger('count', params.count) ?? config.defaultCount;
    if (count === 0) {
        count = config.allowInfiniteCount ? Infinity : config.defaultCount;
    } else if (count > config.maxCount) {
        count = config.maxCount;
    }
    return { offset, count };
}

export type Direction = 1 | -1;
export type SortSpec = Array<[field: string, direction: Direction]>;

/** A JSON-object parameter (`sort`, `fields`, `query`), or undefined when it is anything else. */
export function parseJsonObject(raw: unknown): Record<string, unknown> | undefined {
    try {
        const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : undefined;
        return isPlainObject(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/**
 * `sort`: a JSON object whose every value is exactly 1 or -1. Keys are not
 * checked here: a key on a field the caller cannot see sorts nothing.
 */
export function parseSort(raw: unknown, fallback: SortSpec): SortSpec {
    if (raw === undefined) {
        return fallback;
    }
    const parsed = parseJsonObject(raw);
    if (!parsed) {
        throw invalidSort(raw);
    }
    const spec: SortSpec = [];
    for (const [field, direction] of Object.entries(parsed)) {
        if ((direction !== 1 && direction !== -1) || field === '') {
            throw invalidSort(raw);
        }
        spec.push([field, direction]);
    }
    return spec.length > 0 ? spec : fallback;
}

/** Keys Rocket.Chat appends to a sort: `status` brings `active`, and on users.list `name` brings `nameInsensitive`. */
export function withAppendedKeys(spec: SortSpec, appendNameInsensitive: boolean): SortSpec {
    const result = spec.slice();
    const has = (field: string) => result.some(([key]) => key === field);
    const status = spec.find(([field]) => field === 'status');
    if (status && !has('active')) {
        result.push(['active', status[1]]);
    }
    const name = spec.find(([field]) => field === 'name');
    if (appendNameInsensitive && name && !has('nameInsensitive')) {
        result.push(['nameInsensitive', name[1]]);
    }
    return result;
}

/** `fields`: a JSON object of 0/1; only the inclusions are returned. */
export function parseFieldInclusions(raw: unknown): string[] {
    if (raw === undefined) {
        return [];
    }
    const parsed = parseJsonObject(raw);
    const fieldsError = () => invalidJsonQuery('error-invalid-fields', `Invalid fields parameter provided: "${rawText(raw)}"`);
    if (!parsed) {
        throw fieldsError();
    }
    const included: string[] = [];
    for (const [field, flag] of Object.entries(parsed)) {
        if ((flag !== 0 && flag !== 1) || field === '') {
            throw fieldsError();
        }
        if (flag === 1) {
            included.push(field);
        }
    }
    return included;
}

/** A JSON schema for a route's query parameters. */
export type Schema = Record<string, unknown>;

let ajv: Ajv | undefined;
const compiled = new Map<Schema, ValidateFunction>();

/** Compiles a schema once (tens of milliseconds); later calls return the same validator. */
export function compileSchema(schema: Schema): ValidateFunction {
    ajv ??= new Ajv({ coerceTypes: true, allErrors: true, allowUnionTypes: true });
    let validate = compiled.get(schema);
    if (!validate) {
        validate = ajv.compile(schema);
        compiled.set(schema, validate);
    }
    return validate;
}

/**
 * Validates query parameters against a JSON schema the way Rocket.Chat does
 * (ajv with type coercion: "true" becomes true), returning a coerced copy.
 * Every problem is reported, joined as Rocket.Chat joins them.
 */
export function validateParams(params: QueryParams, schema: Schema): QueryParams {
    const validate = compileSchema(schema);
    const copy = { ...params };
    if (!validate(copy)) {
        throw invalidParams((validate.errors ?? []).map((error) => error.message).join('\n '));
    }
    return copy;
}
