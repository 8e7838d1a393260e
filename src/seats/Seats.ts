import type { ILogger, IModify, IPersistence, IRead, ISchedulerModify } from '@rocket.chat/apps-engine/definition/accessors';
import type { IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import type { IUIKitResponse, UIKitViewSubmitInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { SharedStore } from '../cluster/store';
import type { ChatExtension, ChatRequest } from '../command/DirectoryChat';
import type { Directory } from '../core/directory';
import { CLEANUP_JOB, runCleanup, scheduleCleanup } from './cleanup';
import { DeactivationChat } from './DeactivationChat';
import { SeatsRecords } from './records';
import { CONFIRM_VIEW_PREFIX } from './render';
import { DeactivationRunner, STEP_JOB } from './runner';
import { SeatsConfig, SeatsSettingId } from './settings';

export interface SeatsDeps {
    appId: string;
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
    chatExtension(): ChatExtension {
        return {
            subcommands: new Map([
                [
                    'deactivate',
                    (args: readonly string[], { user, room, read, modify, persis }: ChatRequest) => {
                        this.deps.attach(persis);
                        return this.chat.command(args, user, room, read, modify);
                    },
                ],
            ]),
            owns: (actionId) => actionId.startsWith('seats.'),
            click: (context, { read, persis }) => {
                this.deps.attach(persis);
                return this.chat.blockAction(context, read);
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
