/**
 * What every bridge of one instance works with: the shared store, the
 * instance's own parts (its engine, what the app produced for the requests
 * running there) and its stats.
 */
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import type { ProducedLog } from '../produced';
import type { WorkspaceState } from '../state';
import type { ClusterStore } from '../store';

/** What the bridges of one instance work with. */
export interface InstanceContext {
    /** The instance's number in its cluster (1, 2, ...). */
    number: number;
    store: ClusterStore;
    /** The shared workspace (store.workspace). */
    state: WorkspaceState;
    produced: ProducedLog;
    manager(): AppManager | undefined;
    siteUrl(): string;
    log(line: string): void;
    /** Counts one bridge call (`<Bridge>.<method>`). */
    countCall(key: string): void;
    /** Counts `count` user documents read by the server (and takes the simulated time for them). */
    readUsers(count: number): Promise<void>;
    /** Counts `count` room documents the database walked for a call (a page of getAllRooms walks every room it skips). */
    readRooms(count: number): void;
}

/** What a bridge throws for a capability the host does not offer. */
export class NotImplementedError extends Error {
    constructor(what: string) {
        super(`${what} is not implemented by the local workspace host`);
    }
}
