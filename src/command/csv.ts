import { isPlainObject } from '../core/record';
import type { DirectoryList } from './parse';

/** Columns of an export, per list; emails only for callers who may see them. */
export function csvColumns(list: DirectoryList, showEmails: boolean): string[] {
    const columns =
        list === 'users'
            ? ['_id', 'username', 'name', 'emails', 'roles', 'status', 'active', 'type', 'lastLogin']
            : ['_id', 'username', 'name', 'status', 'emails'];
    return showEmails ? columns : columns.filter((column) => column !== 'emails');
}

function cellText(value: unknown): string {
    if (typeof value === 'string') {
        return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
    }
    if (Array.isArray(value)) {
        return value.map((item: unknown) => cellText(isPlainObject(item) && 'address' in item ? item.address : item)).join('; ');
    }
    return value === undefined || value === null ? '' : JSON.stringify(value);
}

/**
 * One RFC 4180 cell. A cell that a spreadsheet would read as a formula gets a
 * leading apostrophe, so that a crafted name cannot run in the reader's sheet.
 */
export function csvCell(value: unknown): string {
    let text = cellText(value);
    if (/^[=+\-@\t\r]/.test(text)) {
        text = `'${text}`;
    }
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text, built row by row from the shaped rows as they are produced. */
export function toCsv(rows: Iterable<Record<string, unknown>>, columns: readonly string[]): string {
    const lines = [columns.join(',')];
    for (const row of rows) {
        lines.push(columns.map((column) => csvCell(row[column])).join(','));
    }
    return `${lines.join('\r\n')}\r\n`;
}
