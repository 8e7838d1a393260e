import type { SortKey } from './sortOrder';
import type { SortSpec } from './params';
import { isPlainObject, RECORD_FIELDS, UserRecord } from './record';

/**
 * Which fields of a record a caller gets. A whole field (`customFields`) or
 * parts of one (`customFields.clearance`); rows are shaped from it, and sorts
 * run on what it shows.
 */
export class Projection {
    private readonly whole = new Set<string>();
    private readonly parts = new Map<string, string[][]>();

    constructor(paths: Iterable<string>) {
        for (const path of paths) {
            const [root, ...rest] = path.split('.');
            if (rest.length === 0) {
                this.whole.add(root);
                this.parts.delete(root);
            } else if (!this.whole.has(root)) {
                this.parts.set(root, [...(this.parts.get(root) ?? []), rest]);
            }
        }
    }

    /** Whether the value at `path` shows in shaped rows. */
    shows(path: readonly string[]): boolean {
        if (this.whole.has(path[0])) {
            return true;
        }
        const parts = this.parts.get(path[0]);
        return !!parts && parts.some((part) => part.every((segment, i) => path[i + 1] === segment));
    }

    shape(record: UserRecord): Record<string, unknown> {
        const row: Record<string, unknown> = {};
        for (const field of RECORD_FIELDS) {
            const value = record[field];
            if (value === undefined) {
                continue;
            }
            if (this.whole.has(field)) {
                row[field] = value;
            } else {
                const parts = this.parts.get(field);
                const picked = parts && pick(value, parts);
                if (picked !== undefined) {
                    row[field] = picked;
                }
            }
        }
        return row;
    }

    /** The sort keys that decide anything for this caller: keys on hidden fields sort nothing. */
    sortKeys(spec: SortSpec): SortKey[] {
        const keys: SortKey[] = [];
        for (const [field, direction] of spec) {
            const path = field.split('.');
            // nameInsensitive is derived from name: after name it never decides.
            const redundant = field === 'nameInsensitive' && keys.some((key) => key.path.length === 1 && key.path[0] === 'name');
            if (this.shows(path) && !redundant) {
                keys.push({ path, direction });
            }
        }
        return keys;
    }
}

/** MongoDB's inclusion of sub-paths: into documents, and element-wise through arrays of them. */
function pick(value: unknown, parts: string[][]): unknown {
    if (Array.isArray(value)) {
        return value.filter(isPlainObject).map((element) => pick(element, parts) ?? {});
    }
    if (!isPlainObject(value)) {
        return undefined;
    }
    const result: Record<string, unknown> = {};
    for (const [head, ...rest] of parts) {
        if (!Object.prototype.hasOwnProperty.call(value, head)) {
            continue;
        }
        const picked = rest.length === 0 ? value[head] : pick(value[head], [rest]);
        if (picked !== undefined) {
            result[head] = rest.length > 0 && isPlainObject(result[head]) && isPlainObject(picked) ? { ...(result[head] as object), ...picked } : picked;
        }
    }
    return Object.keys(result).length > 0 ? result : undefined;
}
