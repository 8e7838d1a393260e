import sift, { createEqualsOperation } from 'sift';

import { compareValues, valuesAtPath } from './compare';
import { NOT_CODED } from './pathColumn';
import type { DirectoryColumns, Filter } from './directory';
import { isPlainObject } from './record';
import { compileRegex } from './regex';

/** The `query` parameter, once validated (queryParse.ts), as a filter of directory slots. */

/**
 * Turns a validated filter into a filter of directory slots, evaluated over
 * the columns without building records. Conditions joined by `$and` (or
 * listed side by side) narrow the slots one after the other, the cheapest
 * first, so that the costly ones (patterns, nested fields) see only the slots
 * left; `$or` gathers what its branches let through. A condition's outcome
 * depends only on the value tested: it is computed once per distinct value.
 */
export function queryFilter(query: Record<string, unknown>): Filter {
    const narrow = conjunction(query);
    return { key: `query:${JSON.stringify(query)}`, narrow: (columns, matches) => narrow.apply(columns, matches) };
}

/** One part of a query: narrows the bitmap in place; `cost` orders the parts of a conjunction. */
interface Narrowing {
    cost: number;
    apply(columns: DirectoryColumns, matches: Uint8Array): void;
}

/** Fields with few distinct values (held as codes or bits): their conditions are settled almost for free. */
const CHEAP_FIELDS = new Set(['type', 'status', 'statusText', 'roles', 'active', 'federated']);
/** Fields whose values are structures: reaching into them costs most. */
const NESTED_FIELDS = new Set(['emails', 'customFields']);

function conjunction(query: Record<string, unknown>): Narrowing {
    const parts: Narrowing[] = [];
    for (const [key, condition] of Object.entries(query)) {
        if (key === '$and') {
            parts.push(...(condition as Array<Record<string, unknown>>).map(conjunction));
        } else if (key === '$or') {
            parts.push(disjunction((condition as Array<Record<string, unknown>>).map(conjunction)));
        } else {
            parts.push(fieldCondition(key, condition));
        }
    }
    parts.sort((a, b) => a.cost - b.cost);
    return {
        cost: parts.reduce((sum, part) => sum + part.cost, 0),
        apply(columns, matches) {
            parts.forEach((part) => part.apply(columns, matches));
        },
    };
}

function disjunction(branches: Narrowing[]): Narrowing {
    return {
        cost: branches.reduce((sum, branch) => sum + branch.cost, 0),
        apply(columns, matches) {
            const passed = new Uint8Array(matches.length);
            for (const branch of branches) {
                // Each branch tests only the slots no earlier branch let through.
                const candidates = matches.map((match, slot) => match & (passed[slot] ^ 1));
                branch.apply(columns, candidates);
                candidates.forEach((candidate, slot) => (passed[slot] |= candidate));
            }
            passed.forEach((pass, slot) => (matches[slot] = pass));
        },
    };
}

/**
 * A condition on one field path, tested in each slot still matching: once
 * per distinct value where the directory holds the path's values as codes
 * (fields of few values, custom fields), else on the slot's field.
 */
function fieldCondition(key: string, condition: unknown): Narrowing {
    const path = key.split('.');
    const [root] = path;
    const direct = directCondition(condition);
    const test = direct ? directFieldTest(path, direct) : siftFieldTest(key, condition);
    // A field holding one plain value (most do) is tested without the machinery for arrays and paths.
    const plainTest = path.length === 1 ? directPlainCondition(condition) : undefined;
    let cost = CHEAP_FIELDS.has(root) ? 1 : NESTED_FIELDS.has(root) ? 4 : 2;
    if (isPlainObject(condition) && '$regex' in condition) cost += 2;
    if (!direct) cost += 8;
    return {
        cost,
        apply(columns, matches) {
            const read = columns.reader(root);
            const coded = direct && columns.pathCodes(path);
            if (!coded) {
                for (let slot = 0; slot < matches.length; slot++) {
                    if (matches[slot] !== 1) continue;
                    const value = read(slot);
                    const pass = plainTest && value !== undefined && (value === null || typeof value !== 'object') ? plainTest(value) : test(value);
                    if (!pass) matches[slot] = 0;
                }
                return;
            }
            const { codes, reached } = coded;
            const outcomes = new Map<number, boolean>();
            for (let slot = 0; slot < matches.length; slot++) {
                if (matches[slot] !== 1) continue;
                const code = codes[slot];
                let pass = code === NOT_CODED ? test(read(slot)) : outcomes.get(code);
                if (pass === undefined) {
                    pass = direct(reached(code));
                    outcomes.set(code, pass);
                }
                if (!pass) matches[slot] = 0;
            }
        },
    };
}

/** Tests a field's value (undefined: missing) with a test of the values the path reaches in it. */
function directFieldTest(path: readonly string[], test: ValuesTest): (value: unknown) => boolean {
    if (path.length === 1) {
        return (value) => test(value === undefined ? [] : [value]);
    }
    return (value) => test(value === undefined ? [] : valuesAtPath(value, path, 1));
}

/** A test of the values a path reaches (none when the field is missing). */
type ValuesTest = (values: readonly unknown[]) => boolean;

const isScalar = (value: unknown): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value);

const anyElement =
    (test: (element: unknown) => boolean): ValuesTest =>
    (values) =>
        values.some((value) => (Array.isArray(value) ? value.some(test) : test(value)));

function directCondition(condition: unknown): ValuesTest | undefined {
    if (isScalar(condition)) {
        return anyElement((element) => element === condition);
    }
    if (!isPlainObject(condition)) {
        return undefined;
    }
    const tests: ValuesTest[] = [];
    for (const [operator, operand] of Object.entries(condition)) {
        const test = directOperator(operator, operand, condition);
        if (!test) {
            return undefined;
        }
        tests.push(test);
    }
    return (values) => tests.every((test) => test(values));
}

const COMPARISONS: Record<string, (order: number) => boolean> = {
    $gt: (order) => order > 0,
    $gte: (order) => order >= 0,
    $lt: (order) => order < 0,
    $lte: (order) => order <= 0,
};

function directOperator(operator: string, operand: unknown, condition: Record<string, unknown>): ValuesTest | undefined {
    switch (operator) {
        case '$eq':
        case '$ne': {
            if (!isScalar(operand)) return undefined;
            const equal = anyElement((element) => element === operand);
            return operator === '$eq' ? equal : (values) => !equal(values);
        }
        case '$in':
        case '$nin': {
            // null also matches a sub-document lacking the field, inside arrays: sift's walk knows that.
            if (!Array.isArray(operand) || !operand.every(isScalar)) return undefined;
            const wanted = new Set(operand);
            const test = anyElement((element) => wanted.has(element as string | number | boolean));
            return operator === '$in' ? test : (values) => !test(values);
        }
        case '$all': {
            if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) return undefined;
            const each = operand.map((item) => anyElement((element) => element === item));
            return (values) => each.every((test) => test(values));
        }
        case '$exists':
            return (values) => values.length > 0 === !!operand;
        case '$regex': {
            const test = compileRegex(operand as string, condition.$options as string | undefined);
            return anyElement((element) => typeof element === 'string' && test(element));
        }
        case '$options':
            return () => true; // read with $regex
        case '$gt':
        case '$gte':
        case '$lt':
        case '$lte': {
            if (!isScalar(operand)) return undefined;
            const holds = COMPARISONS[operator];
            // MongoDB compares within a type: a number is never greater than a string.
            return anyElement((element) => typeof element === typeof operand && holds(compareValues(element, operand)));
        }
        default:
            return undefined;
    }
}

/** The condition on a field holding one plain value, when every operator has a direct meaning: MongoDB's meaning for such a value. */
function directPlainCondition(condition: unknown): ((value: unknown) => boolean) | undefined {
    if (isScalar(condition)) {
        return (value) => value === condition;
    }
    if (!isPlainObject(condition)) {
        return undefined;
    }
    const tests: Array<(value: unknown) => boolean> = [];
    for (const [operator, operand] of Object.entries(condition)) {
        const test = plainOperator(operator, operand, condition);
        if (!test) return undefined;
        if (operator !== '$options') tests.push(test);
    }
    return tests.length === 1 ? tests[0] : (value) => tests.every((test) => test(value));
}

function plainOperator(operator: string, operand: unknown, condition: Record<string, unknown>): ((value: unknown) => boolean) | undefined {
    switch (operator) {
        case '$eq':
            return isScalar(operand) ? (value) => value === operand : undefined;
        case '$ne':
            return isScalar(operand) ? (value) => value !== operand : undefined;
        case '$in':
        case '$nin': {
            if (!Array.isArray(operand) || !operand.every(isScalar)) return undefined;
            const wanted = new Set<unknown>(operand);
            return operator === '$in' ? (value) => wanted.has(value) : (value) => !wanted.has(value);
        }
        case '$all':
            return Array.isArray(operand) && operand.length > 0 && operand.every(isScalar) ? (value) => operand.every((item) => item === value) : undefined;
        case '$exists':
            return () => !!operand;
        case '$regex': {
            const test = compileRegex(operand as string, condition.$options as string | undefined);
            return (value) => typeof value === 'string' && test(value);
        }
        case '$options':
            return () => true;
        case '$gt':
        case '$gte':
        case '$lt':
        case '$lte': {
            if (!isScalar(operand)) return undefined;
            const holds = COMPARISONS[operator];
            return (value) => typeof value === typeof operand && holds(compareValues(value, operand));
        }
        default:
            return undefined;
    }
}

/** The rare operators, on one field, through sift: tested on a document holding only that field. */
function siftFieldTest(key: string, condition: unknown): (value: unknown) => boolean {
    const root = key.split('.')[0];
    const test = sift(
        { [key]: condition },
        {
            operations: {
                $regex: (pattern: string, ownerQuery: Record<string, unknown>, options: Parameters<typeof createEqualsOperation>[2]) => {
                    const matches = compileRegex(pattern, ownerQuery.$options as string | undefined);
                    return createEqualsOperation((value: unknown) => typeof value === 'string' && matches(value), ownerQuery, options);
                },
            },
        },
    ) as (document: unknown) => boolean;
    return (value) => test(value === undefined ? {} : { [root]: value });
}
