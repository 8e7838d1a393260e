import type { UserColumns } from './columns';
import { Job, runNow, STEP } from './job';
import type { UserRecord } from './record';

/** Ends each segment: no username, name or email holds it. */
const SEGMENT_END = '\u0000';
/** Changed users that a search checks one by one before its text is rebuilt. */
const MAX_STALE_SEARCH_SLOTS = 512;

/**
 * One search column as a single string of segments (one per live slot, in
 * slot order), so that a substring search is a few `indexOf` calls over
 * contiguous memory instead of one call per user.
 */
class SearchText {
    private constructor(
        private readonly text: string,
        private readonly starts: Int32Array,
        private readonly slots: Int32Array,
    ) {}

    static *build(live: Int32Array, keyOf: (slot: number) => string): Job<SearchText> {
        const parts = new Array<string>(live.length);
        const starts = new Int32Array(live.length + 1);
        let position = 0;
        for (let i = 0; i < live.length; i++) {
            parts[i] = keyOf(live[i]);
            starts[i] = position;
            position += parts[i].length + 1;
            if (i % STEP === 0) yield;
        }
        starts[live.length] = position;
        return new SearchText(parts.join(SEGMENT_END) + SEGMENT_END, starts, live);
    }

    /** Marks each slot whose segment contains the needle; segments are visited once, in order. */
    mark(needle: string, hits: Uint8Array): void {
        let segment = 0;
        let from = 0;
        for (;;) {
            const found = this.text.indexOf(needle, from);
            if (found < 0) {
                return;
            }
            while (this.starts[segment + 1] <= found) segment++;
            hits[this.slots[segment]] = 1;
            from = this.starts[segment + 1];
        }
    }
}

/** The search texts of names and of emails, and the users changed since they were built. */
export interface SearchTexts {
    names: SearchText;
    emails: SearchText;
    /** Their segments are stale: these users are checked one by one. */
    stale: Set<number>;
}

/** What the search reads of the directory. */
export interface SearchedUsers {
    readonly users: UserColumns;
    isLive(slot: number): boolean;
    /** Live slots in slot order. */
    liveSlots(): Int32Array;
}

/**
 * Substring search over usernames, names and emails. The texts are built on
 * first use (or ahead of time, in steps); a user whose words change is then
 * checked one by one until too many have, and the texts are built anew.
 */
export class SearchIndex {
    private texts?: SearchTexts;
    private scratch = new Uint8Array(0);

    constructor(private readonly directory: SearchedUsers) {}

    get isBuilt(): boolean {
        return !!this.texts;
    }

    /**
     * Slots (of `size`) whose username or name (and emails, when asked)
     * contain the lower-cased needle. The bitmap is the index's own, filled
     * again by the next search (one buffer, not one per request): read it
     * before searching again.
     */
    hits(needle: string, includeEmails: boolean, size: number): Uint8Array {
        const hits = this.scratch.length === size ? this.scratch.fill(0) : (this.scratch = new Uint8Array(size));
        if (needle.includes(SEGMENT_END)) {
            return hits; // no username, name or email holds a NUL
        }
        // "\n" separates a user's own keys: a needle holding it is checked user by user.
        if (needle.includes('\n')) {
            for (let slot = 0; slot < hits.length; slot++) {
                if (this.matchesAlone(slot, needle, includeEmails)) hits[slot] = 1;
            }
            return hits;
        }
        const texts = (this.texts ??= runNow(this.build()));
        texts.names.mark(needle, hits);
        if (includeEmails) {
            texts.emails.mark(needle, hits);
        }
        for (const slot of texts.stale) {
            if (slot < hits.length) hits[slot] = this.matchesAlone(slot, needle, includeEmails) ? 1 : 0;
        }
        return hits;
    }

    /** A known user's words before its record is rewritten (undefined while no texts are built): pass them to `changed`. */
    wordsOf(slot: number): string | undefined {
        return this.texts ? this.searchKey(slot) : undefined;
    }

    /** A user was added or removed (no `wordsBefore`), or rewritten. */
    changed(slot: number, wordsBefore?: string): void {
        if (!this.texts || (wordsBefore !== undefined && wordsBefore === this.searchKey(slot))) {
            return;
        }
        this.texts.stale.add(slot);
        if (this.texts.stale.size > MAX_STALE_SEARCH_SLOTS) {
            this.texts = undefined;
        }
    }

    *build(): Job<SearchTexts> {
        const live = this.directory.liveSlots();
        const users = this.directory.users;
        const names = yield* SearchText.build(live, (slot) => users.nameKey(slot));
        const emails = yield* SearchText.build(live, (slot) => users.emailKey(slot));
        return { names, emails, stale: new Set() };
    }

    /** Keeps texts built ahead of time. */
    keep(texts: SearchTexts): void {
        this.texts = texts;
    }

    private matchesAlone(slot: number, needle: string, includeEmails: boolean): boolean {
        return this.directory.isLive(slot) && this.keysOf(slot, includeEmails).some((key) => key.includes(needle));
    }

    private keysOf(slot: number, includeEmails: boolean): string[] {
        const users = this.directory.users;
        const keys = [users.usernameColumn[slot] ?? '', users.names[slot] ?? ''];
        if (includeEmails) {
            const emails = users.field(slot, 'emails') as UserRecord['emails'];
            keys.push(...(emails ?? []).map((email) => String(email.address)));
        }
        return keys.map((key) => key.toLowerCase());
    }

    private searchKey(slot: number): string {
        const users = this.directory.users;
        return `${users.nameKey(slot)}\n${users.emailKey(slot)}`;
    }
}
