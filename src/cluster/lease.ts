import { Lease, LEASE_KEYS } from './meta';
import type { KeyedRecordStore } from './store';

/** The crawl lease (its record: see meta.ts): one instance at a time crawls the workspace. */

export const LEASE_TTL_MS = 30_000;
/** How long a claim settles before it is read back: concurrent claims all land within it, and the last one wins. */
const SETTLE_MS = 300;

export const leaseIsFree = (lease: Lease | undefined, me: string, now: number) => !lease || lease.holder === me || lease.until <= now;

/**
 * Claims the lease, or returns false when another instance holds it. The
 * store has no compare-and-set: a claim is written, left to settle, and read
 * back; of claims made at the same moment only the last written survives, so
 * exactly one claimant finds its own name.
 */
export async function claimLease(
    store: KeyedRecordStore,
    current: Lease | undefined,
    me: string,
    now: () => number,
    sleep: (ms: number) => Promise<void>,
): Promise<boolean> {
    if (!leaseIsFree(current, me, now())) {
        return false;
    }
    await renewLease(store, me, now());
    await sleep(SETTLE_MS);
    const [after] = (await store.find(LEASE_KEYS)) as Lease[];
    return after?.holder === me;
}

export async function renewLease(store: KeyedRecordStore, me: string, now: number): Promise<void> {
    const lease: Lease = { kind: 'lease', holder: me, until: now + LEASE_TTL_MS };
    await store.put(LEASE_KEYS, lease);
}

export async function releaseLease(store: KeyedRecordStore, me: string): Promise<void> {
    const lease: Lease = { kind: 'lease', holder: me, until: 0 };
    await store.put(LEASE_KEYS, lease);
}
