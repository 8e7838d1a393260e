import { Dictionary } from './dictionary';
import { grownCapacity } from './growth';
import { PathColumn } from './pathColumn';
import type { UserRecord } from './record';
import { RECORD_FIELDS } from './record';

/**
 * Users held in compact columns, one entry per slot, instead of one object
 * per user: strings in plain arrays, dates and numbers in typed arrays,
 * booleans in a bit field, and fields with few distinct values (type, status,
 * status text, the list of roles) as codes into a dictionary that holds each
 * value once. A record is built only when asked for (a page, a snapshot).
 * Values that do not fit a column's usual form (several emails, a date that
 * is not canonical ISO, …) are kept as they are, aside.
 */

/** Per-slot facts, as bits. */
export const Flag = {
    /** has a string username or name */
    NAMED: 1,
    HAS_EMAIL: 2,
    ACTIVE: 4,
    DEACTIVATED: 8,
    LOGGED_IN: 16,
    /** has a status, and it is not offline */
    PRESENT: 32,
    /** the single email is verified */
    EMAIL_VERIFIED: 64,
    LIVE: 128,
    FEDERATED: 256,
    NOT_FEDERATED: 512,
    /** some field is held aside, in its original form */
    ASIDE: 1024,
} as const;

type DateField = 'lastLogin' | 'createdAt' | '_updatedAt';

const DATE_FIELDS: readonly DateField[] = ['lastLogin', 'createdAt', '_updatedAt'];

/** The time value of a canonical ISO date (what the record conversion makes), else NaN. */
function timeOf(value: string): number {
    const time = Date.parse(value);
    return !Number.isNaN(time) && new Date(time).toISOString() === value ? time : NaN;
}

export class UserColumns {
    readonly ids: Array<string | undefined> = [];
    // Not `usernames`: the engine's runtime awaits every `.usernames` it finds in an app (IRoom's getter), making callers async.
    readonly usernameColumn: Array<string | undefined> = [];
    readonly names: Array<string | undefined> = [];
    /** The address of a user's only email (most users have one). */
    readonly emailAddresses: Array<string | undefined> = [];
    /** Few users have one: held by slot, not in a column. */
    private readonly extensions = new Map<number, string>();
    private readonly aside = new Map<number, Partial<UserRecord>>();

    readonly types = new Dictionary<string>(String);
    readonly statuses = new Dictionary<string>(String);
    readonly statusTexts = new Dictionary<string>(String);
    readonly roleLists = new Dictionary<readonly string[]>(
        (roles) => JSON.stringify(roles),
        (roles) => Object.freeze([...roles]),
    );
    /** Custom fields of plain values, held once for all users who have the same (most share a few); others are held aside. */
    private readonly sharedCustomFields = new Dictionary<Record<string, unknown>>(
        (fields) => JSON.stringify(fields),
        (fields) => Object.freeze({ ...fields }),
    );
    /** Values that custom-field paths reach, as codes, for the paths queries use (see `pathCodes`). */
    private readonly pathColumns = new Map<string, PathColumn>();

    flags = new Uint16Array(0);
    typeCodes = new Uint32Array(0);
    statusCodes = new Uint32Array(0);
    statusTextCodes = new Uint32Array(0);
    roleCodes = new Uint32Array(0);
    private customFieldCodes = new Uint32Array(0);
    private dates: Record<DateField, Float64Array> = { lastLogin: new Float64Array(0), createdAt: new Float64Array(0), _updatedAt: new Float64Array(0) };
    private utcOffsets = new Float64Array(0);

    get capacity(): number {
        return this.flags.length;
    }

    /** Makes room for slots below `size`. */
    reserve(size: number): void {
        if (size <= this.flags.length) {
            return;
        }
        const capacity = Math.max(size, grownCapacity(this.flags.length));
        const widen = <T extends Uint16Array | Uint32Array | Float64Array>(array: T): T => {
            const wider = new (array.constructor as new (n: number) => T)(capacity);
            wider.set(array);
            return wider;
        };
        this.flags = widen(this.flags);
        this.typeCodes = widen(this.typeCodes);
        this.statusCodes = widen(this.statusCodes);
        this.statusTextCodes = widen(this.statusTextCodes);
        this.roleCodes = widen(this.roleCodes);
        this.customFieldCodes = widen(this.customFieldCodes);
        this.utcOffsets = widen(this.utcOffsets);
        for (const field of DATE_FIELDS) {
            this.dates[field] = widen(this.dates[field]);
        }
    }

    write(slot: number, record: UserRecord): void {
        this.reserve(slot + 1);
        const aside: Partial<UserRecord> = {};
        let flags = Flag.LIVE;
        if (typeof record.username === 'string' || typeof record.name === 'string') flags |= Flag.NAMED;
        if (record.active === true) flags |= Flag.ACTIVE;
        if (record.active === false) flags |= Flag.DEACTIVATED;
        if (record.lastLogin !== undefined) flags |= Flag.LOGGED_IN;
        if (record.status !== undefined && record.status !== 'offline') flags |= Flag.PRESENT;
        if (record.federated === true) flags |= Flag.FEDERATED;
        if (record.federated === false) flags |= Flag.NOT_FEDERATED;

        this.ids[slot] = record._id;
        this.usernameColumn[slot] = record.username;
        this.names[slot] = record.name;
        const emails = record.emails;
        this.emailAddresses[slot] = undefined;
        if (emails && emails.length > 0) flags |= Flag.HAS_EMAIL;
        if (
            emails &&
            emails.length === 1 &&
            Object.keys(emails[0]).length === 2 &&
            typeof emails[0].address === 'string' &&
            typeof emails[0].verified === 'boolean'
        ) {
            this.emailAddresses[slot] = emails[0].address;
            if (emails[0].verified) flags |= Flag.EMAIL_VERIFIED;
        } else if (emails !== undefined) {
            aside.emails = emails;
        }
        this.typeCodes[slot] = this.types.code(record.type);
        this.statusCodes[slot] = this.statuses.code(record.status);
        this.statusTextCodes[slot] = this.statusTexts.code(record.statusText);
        this.roleCodes[slot] = this.roleLists.code(record.roles);
        for (const field of DATE_FIELDS) {
            const value = record[field];
            const time = value === undefined ? NaN : timeOf(value);
            this.dates[field][slot] = time;
            if (value !== undefined && Number.isNaN(time)) aside[field] = value;
        }
        this.utcOffsets[slot] = record.utcOffset ?? NaN;
        if (Number.isNaN(record.utcOffset)) aside.utcOffset = record.utcOffset;
        const fields = record.customFields;
        const shared = !fields || hasOnlyPlainValues(fields);
        this.customFieldCodes[slot] = shared ? this.sharedCustomFields.code(fields) : 0;
        if (!shared) aside.customFields = fields;
        if (record.freeSwitchExtension === undefined) this.extensions.delete(slot);
        else this.extensions.set(slot, record.freeSwitchExtension);
        if (record.nameInsensitive !== derivedNameInsensitive(record.name)) aside.nameInsensitive = record.nameInsensitive;

        if (Object.keys(aside).length > 0) {
            flags |= Flag.ASIDE;
            this.aside.set(slot, aside);
        } else {
            this.aside.delete(slot);
        }
        this.flags[slot] = flags;
        this.pathColumns.forEach((column) => column.write(slot, record.customFields));
    }

    clear(slot: number): void {
        this.flags[slot] = 0;
        this.ids[slot] = undefined;
        this.usernameColumn[slot] = undefined;
        this.names[slot] = undefined;
        this.emailAddresses[slot] = undefined;
        this.customFieldCodes[slot] = 0;
        this.extensions.delete(slot);
        this.roleCodes[slot] = 0;
        this.typeCodes[slot] = 0;
        this.aside.delete(slot);
        this.pathColumns.forEach((column) => column.write(slot, undefined));
    }

    /**
     * A reader of one field, for scans: the field's own column when the slot
     * holds the usual form, `field()` otherwise.
     */
    reader(field: string): (slot: number) => unknown {
        const { flags } = this;
        const from = (column: ReadonlyArray<unknown>) => (slot: number) => (flags[slot] & Flag.ASIDE ? this.field(slot, field) : column[slot]);
        switch (field) {
            case '_id':
                return from(this.ids);
            case 'username':
                return from(this.usernameColumn);
            case 'name':
                return from(this.names);
            case 'customFields': {
                const { customFieldCodes } = this;
                const values = this.sharedCustomFields.values;
                return (slot) => (flags[slot] & Flag.ASIDE ? this.field(slot, field) : values[customFieldCodes[slot]]);
            }
            default:
                return (slot) => this.field(slot, field);
        }
    }

    /**
     * The values a path reaches, as a code per slot (NOT_CODED when they are
     * not all plain values) and the values of each code: a query tests each
     * distinct value once. Held for fields of few values, and for the
     * custom-field paths queries use (the latest few, kept up to date).
     */
    pathCodes(path: readonly string[]): { codes: Uint32Array; reached: (code: number) => readonly unknown[] } | undefined {
        if (path.length === 1) {
            const dictionary = (
                { type: this.types, status: this.statuses, statusText: this.statusTexts, roles: this.roleLists } as Record<string, Dictionary<unknown>>
            )[path[0]];
            const codes = (
                { type: this.typeCodes, status: this.statusCodes, statusText: this.statusTextCodes, roles: this.roleCodes } as Record<string, Uint32Array>
            )[path[0]];
            return dictionary && { codes, reached: (code) => (code === 0 ? [] : [dictionary.values[code]]) };
        }
        if (path[0] !== 'customFields') {
            return undefined;
        }
        const id = path.join('.');
        let column = this.pathColumns.get(id);
        if (!column) {
            column = new PathColumn(path.slice(1), this.flags.length);
            for (let slot = 0; slot < this.flags.length; slot++) {
                if (this.flags[slot] & Flag.LIVE) column.write(slot, this.field(slot, 'customFields') as UserRecord['customFields']);
            }
            if (this.pathColumns.size >= MAX_PATH_COLUMNS) {
                this.pathColumns.delete(this.pathColumns.keys().next().value as string);
            }
            this.pathColumns.set(id, column);
        }
        column.reserve(this.flags.length);
        const { values } = column;
        return { codes: column.codes, reached: (code) => values.values[code] ?? [] };
    }

    /**
     * One field of a slot's user, as the record holds it (undefined when
     * missing). Lists of roles are shared between users: never change them.
     */
    field(slot: number, field: string): unknown {
        const flags = this.flags[slot];
        if (flags & Flag.ASIDE) {
            const aside = this.aside.get(slot) as Partial<UserRecord>;
            if (field in aside) return aside[field as keyof UserRecord];
        }
        switch (field) {
            case '_id':
                return this.ids[slot];
            case 'username':
                return this.usernameColumn[slot];
            case 'name':
                return this.names[slot];
            case 'nameInsensitive':
                return derivedNameInsensitive(this.names[slot]);
            case 'emails': {
                const address = this.emailAddresses[slot];
                return address === undefined ? undefined : [{ address, verified: (flags & Flag.EMAIL_VERIFIED) !== 0 }];
            }
            case 'type':
                return this.types.values[this.typeCodes[slot]];
            case 'roles':
                return this.roleLists.values[this.roleCodes[slot]];
            case 'status':
                return this.statuses.values[this.statusCodes[slot]];
            case 'statusText':
                return this.statusTexts.values[this.statusTextCodes[slot]];
            case 'active':
                return flags & Flag.ACTIVE ? true : flags & Flag.DEACTIVATED ? false : undefined;
            case 'federated':
                return flags & Flag.FEDERATED ? true : flags & Flag.NOT_FEDERATED ? false : undefined;
            case 'lastLogin':
            case 'createdAt':
            case '_updatedAt': {
                const time = this.dates[field][slot];
                return Number.isNaN(time) ? undefined : new Date(time).toISOString();
            }
            case 'utcOffset': {
                const offset = this.utcOffsets[slot];
                return Number.isNaN(offset) ? undefined : offset;
            }
            case 'customFields':
                return this.sharedCustomFields.values[this.customFieldCodes[slot]];
            case 'freeSwitchExtension':
                return this.extensions.get(slot);
            default:
                return undefined;
        }
    }

    /**
     * A field's value for sorting: `field()`, except that a date held as a
     * time sorts by that time (the order of its ISO text, without making it;
     * a date kept aside as text sorts after every such time).
     */
    sortField(slot: number, field: string): unknown {
        const isDate = field === 'lastLogin' || field === 'createdAt' || field === '_updatedAt';
        if (isDate && !(this.flags[slot] & Flag.ASIDE && field in (this.aside.get(slot) as object))) {
            const time = this.dates[field][slot];
            return Number.isNaN(time) ? undefined : time;
        }
        return this.field(slot, field);
    }

    /** A fresh record of the slot's user, in Rocket.Chat's shape. */
    record(slot: number): UserRecord {
        const record = {} as Record<string, unknown>;
        for (const field of RECORD_FIELDS) {
            const value = this.field(slot, field);
            if (value !== undefined) {
                // Shared values are copied: a record handed out is its holder's to change.
                record[field] = field === 'roles' ? [...(value as string[])] : field === 'customFields' ? { ...(value as object) } : value;
            }
        }
        return record as unknown as UserRecord;
    }

    /** The lower-cased username and name, one per line: what a search looks in. */
    nameKey(slot: number): string {
        return `${this.usernameColumn[slot] ?? ''}\n${this.names[slot] ?? ''}`.toLowerCase();
    }

    /** The lower-cased email addresses, one per line. */
    emailKey(slot: number): string {
        const address = this.emailAddresses[slot];
        if (address !== undefined) {
            return address.toLowerCase();
        }
        const emails = this.flags[slot] & Flag.ASIDE ? this.aside.get(slot)?.emails : undefined;
        return (emails ?? []).map((email) => String(email.address).toLowerCase()).join('\n');
    }
}

const MAX_PATH_COLUMNS = 8;
/** Strings, finite numbers, booleans and null: what JSON writes back exactly, so their JSON is a safe key. */
const hasOnlyPlainValues = (fields: Record<string, unknown>) =>
    Object.values(fields).every(
        (value) =>
            value === null ||
            typeof value === 'string' ||
            typeof value === 'boolean' ||
            (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)),
    );

const derivedNameInsensitive = (name: unknown): string => (typeof name === 'string' ? name.toLowerCase() : '');
