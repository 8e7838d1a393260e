import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';

import { claimLease, LEASE_TTL_MS, releaseLease, renewLease } from '../cluster/lease';
import { readMeta, SnapshotPointer } from '../cluster/meta';
import { dropSnapshot, publishPointer, readSnapshot, writeSnapshot } from '../cluster/snapshot';
import type { KeyedRecordStore } from '../cluster/store';
import { Directory } from '../core/directory';
import { crawlDirectory } from './crawl';
import type { DirectoryKeeper } from './keeper';
import { inBackground, pacer } from './pacer';

/** What directory.info reports about the last crawl this instance made. */
export interface BuildReport {
    builtAt: string;
    durationMs: number;
    bridgeCalls: number;
    rooms: number;
}

export interface RebuildContext {
    store: KeyedRecordStore;
    instanceId: string;
    reader: () => IRead;
    keeper: DirectoryKeeper;
    /** Makes a directory current (the keeper replays the changes meanwhile on it). */
    install: (directory: Directory) => Promise<void>;
    maxAgeMs: () => number;
    onError: (error: unknown) => void;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
}

/**
 * A new directory from a snapshot another instance published: read chunk by
 * chunk, completed by the feed from the moment its crawl began.
 */
export async function loadSnapshot(context: RebuildContext, pointer: SnapshotPointer): Promise<void> {
    const directory = new Directory([], { runInSteps: inBackground });
    const pace = pacer();
    await readSnapshot(context.store, pointer, async (chunk) => {
        for (const user of chunk) {
            directory.upsert(user);
            if (pace.due()) await pace.pause();
        }
    });
    await context.keeper.catchUp(directory, pointer.crawlStartedAt);
    await context.install(directory);
}

/**
 * The rebuild, on the instance that wins the lease: crawls the workspace
 * into a new directory, installs it, publishes it as a snapshot for the
 * others, and drops what is no longer needed (the feed's old minutes, the
 * snapshot before the previous one). Does nothing when another instance
 * holds the lease.
 */
export async function crawlAndPublish(
    context: RebuildContext,
    previous: SnapshotPointer | undefined,
    done: { installed(report: BuildReport): void; published(pointer: SnapshotPointer): void },
): Promise<void> {
    const { store, keeper, now } = context;
    const me = context.instanceId;
    if (!(await claimLease(store, (await readMeta(store)).lease, me, now, context.sleep))) {
        return;
    }
    const renewal = setInterval(() => void renewLease(store, me, now()).catch(context.onError), LEASE_TTL_MS / 3);
    try {
        // Users no room shows are carried over from the current directory: bring it up to date first.
        await keeper.follow(await readMeta(store));
        keeper.keepChanges();
        const started = now();
        // The app user may be in no room; later builds carry it over like any other user.
        const { directory, report } = await crawlDirectory(context.reader(), keeper.current, { includeAppUser: !keeper.current });
        await keeper.catchUp(directory, started);
        await context.install(directory);
        done.installed({ builtAt: new Date(now()).toISOString(), durationMs: now() - started, ...report });

        const id = `${me}-${started.toString(36)}`;
        // Records are built a chunk at a time, from the ids as they are now.
        const ids = [...directory.ids()];
        const records = (function* () {
            for (const userId of ids) {
                const record = directory.get(userId);
                if (record) yield record;
            }
        })();
        const written = await writeSnapshot(store, id, records);
        const retainFeedFrom = Math.min(started - 60_000, now() - 2 * context.maxAgeMs() - 5 * 60_000);
        const prunedThroughMinute = await keeper.pruneFeed(previous ? previous.prunedThroughMinute + 1 : Math.floor(retainFeedFrom / 60_000), retainFeedFrom);
        const pointer: SnapshotPointer = {
            kind: 'snapshot',
            id,
            previous: previous?.id,
            builder: me,
            crawlStartedAt: started,
            builtAt: now(),
            ...written,
            prunedThroughMinute,
        };
        await publishPointer(store, pointer);
        done.published(pointer);
        if (previous?.previous) {
            await dropSnapshot(store, previous.previous);
        }
    } finally {
        clearInterval(renewal);
        await releaseLease(store, me);
    }
}
