const EMPTY = -1;
const REMOVED = -2;
/** The table is at most this full (slots and removed entries): probes stay short. */
const MAX_LOAD = 0.75;

/** FNV-1a over the id's UTF-16 units. */
function hashOf(id: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) {
        hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    }
    return hash >>> 0;
}

/**
 * Finds a user's slot by id. The ids are held once, in the directory's ids
 * column; this is an open-addressing table of slots over it (4 bytes an
 * entry), where a Map would keep an entry object per user (about 30 bytes,
 * 3 MB at 100,000 users).
 */
export class IdIndex {
    private table = new Int32Array(64).fill(EMPTY);
    /** Entries in use: slots and removed marks. */
    private used = 0;
    size = 0;

    /** `idOf(slot)` must give the id a slot was added with until it is deleted. */
    constructor(private readonly idOf: (slot: number) => string | undefined) {}

    get(id: string): number | undefined {
        const mask = this.table.length - 1;
        for (let at = hashOf(id) & mask; ; at = (at + 1) & mask) {
            const slot = this.table[at];
            if (slot === EMPTY) return undefined;
            if (slot >= 0 && this.idOf(slot) === id) return slot;
        }
    }

    /** Adds an id that is not in the index yet. */
    add(id: string, slot: number): void {
        if ((this.used + 1) / this.table.length > MAX_LOAD) {
            this.rehash(this.size + 1 > (MAX_LOAD / 2) * this.table.length ? this.table.length * 2 : this.table.length);
        }
        const mask = this.table.length - 1;
        let at = hashOf(id) & mask;
        while (this.table[at] >= 0) at = (at + 1) & mask;
        if (this.table[at] === EMPTY) this.used++;
        this.table[at] = slot;
        this.size++;
    }

    /** Takes out the entry of `id`, which is at `slot`. */
    delete(id: string, slot: number): void {
        const mask = this.table.length - 1;
        for (let at = hashOf(id) & mask; this.table[at] !== EMPTY; at = (at + 1) & mask) {
            if (this.table[at] === slot) {
                this.table[at] = REMOVED;
                this.size--;
                return;
            }
        }
    }

    /** A new table of `capacity` entries (a power of two), without the removed marks. */
    private rehash(capacity: number): void {
        const old = this.table;
        this.table = new Int32Array(capacity).fill(EMPTY);
        this.used = 0;
        this.size = 0;
        for (const slot of old) {
            if (slot >= 0) this.add(this.idOf(slot) as string, slot);
        }
    }
}
