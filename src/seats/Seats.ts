import type { ILogger, IPersistence, ISchedulerModify } from '@rocket.chat/apps-engine/definition/accessors';
import type { IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { SharedStore } from '../cluster/store';
import type { Directory } from '../core/directory';
import { CLEANUP_JOB, runCleanup, scheduleCleanup } from './cleanup';
import { DeactivationChat } from './DeactivationChat';
import { SeatsRecords } from './records';
import { DeactivationRunner, STEP_JOB } from './runner';
import { SeatsConfig, SeatsSettingId } from './settings';

export interface SeatsDeps {
    store: SharedStore;
    seats: () => SeatsConfig;
    directory: () => Promise<Directory>;
    /** Publishes a user's new state to the directory of every instance. */
    publish: (user: IUser) => void;
    instanceId: () => string;
    /** Keeps the persistence writer a job was handed. */
    attach: (persis: IPersistence) => void;
    logger: () => ILogger;
}

/** Deactivation of inactive users and the daily clean-up, as the app wires them in. */
export class Seats {
    readonly chat: DeactivationChat;
    private readonly runner: DeactivationRunner;
    private readonly records: SeatsRecords;

    constructor(private readonly deps: SeatsDeps) {
        this.records = new SeatsRecords(deps.store);
        this.runner = new DeactivationRunner({ records: this.records, seats: deps.seats, publish: deps.publish, logger: deps.logger });
        this.chat = new DeactivationChat({ records: this.records, runner: this.runner, seats: deps.seats, directory: deps.directory, logger: deps.logger });
    }

    /** Whether a button or view belongs to deactivation. */
    static owns(actionOrViewId: string): boolean {
        return actionOrViewId.startsWith('seats.') || actionOrViewId.startsWith('user-directory-seats-');
    }

    processors(): IProcessor[] {
        return [
            {
                id: STEP_JOB,
                processor: async (job, read, modify, _http, persis) => {
                    this.deps.attach(persis);
                    await this.runner.step(String(job.runId), read, modify);
                },
            },
            {
                id: CLEANUP_JOB,
                processor: async (_job, read, modify, _http, persis) => {
                    this.deps.attach(persis);
                    const { deps } = this;
                    await runCleanup({ ...deps, records: this.records, runner: this.runner, instanceId: deps.instanceId() }, read, modify);
                },
            },
        ];
    }

    async schedule(scheduler: ISchedulerModify): Promise<void> {
        await scheduleCleanup(scheduler, this.deps.seats());
    }

    /** Settings whose change moves the daily job. */
    static reschedulesOn(settingId: string): boolean {
        return settingId === SeatsSettingId.cleanupTime;
    }
}
