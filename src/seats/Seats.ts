import type { ILogger, IModify, IPersistence, IRead, ISchedulerModify } from '@rocket.chat/apps-engine/definition/accessors';
import type { IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import type { IUIKitResponse, UIKitViewSubmitInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { KeyedRecordStore } from '../cluster/store';
import type { DeactivationEntry } from '../command/DirectoryChat';
import type { Directory } from '../core/directory';
import { CLEANUP_JOB, runCleanup, scheduleCleanup } from './cleanup';
import { DeactivationChat } from './DeactivationChat';
import { SeatsRecords } from './records';
import { CONFIRM_VIEW_PREFIX, SeatsAction } from './render';
import { DeactivationRunner, STEP_JOB } from './runner';
import { SeatsConfig, SeatsSettingId } from './settings';

export interface SeatsDeps {
    appId: string;
    store: KeyedRecordStore;
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
    private readonly chat: DeactivationChat;
    private readonly runner: DeactivationRunner;
    private readonly records: SeatsRecords;

    constructor(private readonly deps: SeatsDeps) {
        this.records = new SeatsRecords(deps.store);
        this.runner = new DeactivationRunner({ records: this.records, seats: deps.seats, publish: deps.publish, logger: deps.logger });
        this.chat = new DeactivationChat({
            appId: deps.appId,
            records: this.records,
            runner: this.runner,
            seats: deps.seats,
            directory: deps.directory,
            logger: deps.logger,
        });
    }

    /** `/users deactivate …` and the clicks of its views, for the chat. */
    chatEntry(): DeactivationEntry {
        return {
            command: (args, { user, room, read, modify, persis }) => {
                this.deps.attach(persis);
                return this.chat.command(args, user, room, read, modify);
            },
            actionIds: Object.values(SeatsAction),
            click: ({ user, read, persis }, actionId, value, responder) => {
                this.deps.attach(persis);
                return this.chat.blockAction(user, actionId, value, responder, read);
            },
        };
    }

    /** The confirmation modal's submit. */
    viewSubmit(context: UIKitViewSubmitInteractionContext, read: IRead, modify: IModify, persis: IPersistence): Promise<IUIKitResponse> {
        if (!context.getInteractionData().view.id.startsWith(CONFIRM_VIEW_PREFIX)) {
            return Promise.resolve(context.getInteractionResponder().successResponse());
        }
        this.deps.attach(persis);
        return this.chat.viewSubmit(context, read, modify);
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
