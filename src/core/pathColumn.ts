import { valuesAtPath } from './compare';
import { Dictionary } from './dictionary';
import { grownCapacity } from './growth';

/** A slot whose path reaches structures: tested on its own. */
export const NOT_CODED = 0xffffffff;

const isPlainValue = (value: unknown) => value === null || (typeof value !== 'object' && typeof value !== 'function');
const plainKey = (values: readonly unknown[]) => values.map((value) => `${typeof value}:${String(value)}`).join('\u0000');

/** The values one path reaches inside the custom fields, coded per slot. */
export class PathColumn {
    readonly values = new Dictionary<unknown[]>(plainKey);
    codes: Uint32Array;

    constructor(
        private readonly path: readonly string[],
        capacity: number,
    ) {
        this.codes = new Uint32Array(capacity);
    }

    reserve(capacity: number): void {
        if (capacity > this.codes.length) {
            const wider = new Uint32Array(Math.max(capacity, grownCapacity(this.codes.length)));
            wider.set(this.codes);
            this.codes = wider;
        }
    }

    write(slot: number, customFields: Record<string, unknown> | undefined): void {
        this.reserve(slot + 1);
        const reached = customFields === undefined ? [] : valuesAtPath(customFields, this.path);
        // Code 0 is "reaches nothing"; the dictionary's empty list is never looked up.
        this.codes[slot] = reached.length === 0 ? 0 : reached.every(isPlainValue) ? this.values.code(reached) : NOT_CODED;
    }
}
