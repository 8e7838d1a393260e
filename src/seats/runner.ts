import type { ILogger, IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { toCsv } from '../command/csv';
import { classifyRefusal, Outcome, recheck, RunEntry, UNDO_COLUMNS, undoRow } from '../core/seats/outcome';
import { Translate, translator } from '../i18n';
import { appUserOf, directRoomWith, post, uploadCsv } from './messages';
import { RunRecord, SeatsRecords } from './records';
import { renderAuditStart, renderAuditStep, renderProgress, renderReport } from './render';
import type { SeatsConfig } from './settings';
import { seatUserOf } from './users';

/** One step of a run: a scheduler job, so that a run survives the request that confirmed it and any one instance. */
export const STEP_JOB = 'seats-deactivation-step';
/** Work per step, well within the engine's 30 s limit on one app call. */
const STEP_BUDGET_MS = 10_000;
/** The pause between two deactivations: Rocket.Chat does a good deal of work for each (subscriptions, rooms, sessions). */
const PACE_MS = 100;

export interface RunnerDeps {
    records: SeatsRecords;
    seats: () => SeatsConfig;
    /** Publishes a user's new state to the directory of every instance. */
    publish: (user: IUser) => void;
    logger: () => ILogger;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs a confirmed (or scheduled) deactivation in paced steps: the undo list
 * first, then each user read again and deactivated only if the rule still
 * holds, with progress, an audit trail and a report.
 */
export class DeactivationRunner {
    private readonly now: () => number;
    private readonly sleep: (ms: number) => Promise<void>;

    constructor(private readonly deps: RunnerDeps) {
        this.now = deps.now ?? Date.now;
        this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    }

    /** Schedules the run's next step on whichever instance the scheduler picks. */
    async scheduleStep(runId: string, modify: IModify, when = 'in 1 second'): Promise<void> {
        await modify.getScheduler().scheduleOnce({ id: STEP_JOB, when, data: { runId } });
    }

    async step(runId: string, read: IRead, modify: IModify): Promise<void> {
        const run = await this.deps.records.run();
        if (!run || run.id !== runId || run.state !== 'running') return;
        const t = translator(run.language);
        const appUser = await appUserOf(read);
        let audit: IRoom | undefined;
        try {
            audit = await auditRoomOf(this.deps.seats(), read);
        } catch (error) {
            return this.finish({ ...run, state: 'failed', failure: messageOf(error) }, appUser, undefined, read, modify, t);
        }
        try {
            await this.work(run, appUser, audit, read, modify, t);
        } catch (error) {
            this.deps.logger().error('A deactivation step failed', error);
            return this.finish({ ...run, state: 'failed', failure: messageOf(error) }, appUser, audit, read, modify, t);
        }
    }

    private async work(run: RunRecord, appUser: IUser, audit: IRoom | undefined, read: IRead, modify: IModify, t: Translate): Promise<void> {
        if (!run.undoSent) {
            try {
                await this.sendUndoList(run, appUser, audit, read, modify, t);
            } catch (error) {
                this.deps.logger().error('The undo list could not be sent', error);
                return this.finish({ ...run, state: 'failed', failure: t('seats_failure_undo', { error: messageOf(error) }) }, appUser, audit, read, modify, t);
            }
            if (audit) await post(audit, appUser, renderAuditStart(run, t), modify);
        }
        if (!this.deps.seats().enabled) {
            return this.finish({ ...run, state: 'failed', failure: t('seats_failure_disabled') }, appUser, audit, read, modify, t);
        }

        const protection = { callerId: run.by?.id, appUserId: appUser.id, exemptRoles: this.deps.seats().exemptRoles };
        const startedAt = this.now();
        const handled: RunEntry[] = [];
        while (run.entries.length < run.users.length && this.now() - startedAt < STEP_BUDGET_MS) {
            const planned = run.users[run.entries.length];
            const outcome = await this.deactivateOne(planned.id, run.cutoff, protection, read, modify);
            const entry: RunEntry = { id: planned.id, username: planned.username, name: planned.name, outcome };
            run.entries.push(entry);
            handled.push(entry);
            await this.sleep(PACE_MS);
        }
        run.heartbeatAt = this.now();
        await this.deps.records.saveRun(run);
        const stepAudit = renderAuditStep(run, handled, t);
        if (audit && stepAudit) await post(audit, appUser, stepAudit, modify).catch((error) => this.deps.logger().error('Audit message failed', error));
        if (run.entries.length < run.users.length) {
            await this.showProgress(run, appUser, read, modify, t);
            return this.scheduleStep(run.id, modify);
        }
        return this.finish({ ...run, state: 'finished' }, appUser, audit, read, modify, t);
    }

    /** Reads the user again, checks the rule, deactivates, and reads back what the server did. */
    private async deactivateOne(userId: string, cutoff: number, protection: Parameters<typeof recheck>[2], read: IRead, modify: IModify): Promise<Outcome> {
        const users = read.getUserReader();
        try {
            const current = await users.getById(userId);
            const skip = recheck(current ? seatUserOf(current) : undefined, cutoff, protection);
            if (skip) return skip;
            await modify.getUpdater().getUserUpdater().deactivate(userId, false);
        } catch (error) {
            return classifyRefusal(messageOf(error));
        }
        const after = await users.getById(userId).catch(() => undefined);
        if (after) this.deps.publish(after);
        return after?.isEnabled === false ? { kind: 'done' } : { kind: 'skipped', reason: 'error', detail: 'The server did not deactivate the user' };
    }

    private async sendUndoList(run: RunRecord, appUser: IUser, audit: IRoom | undefined, read: IRead, modify: IModify, t: Translate): Promise<void> {
        const room = await this.homeRoom(run, appUser, audit, read, modify);
        const csv = toCsv(run.users.map(undoRow), UNDO_COLUMNS);
        const filename = `deactivation-${run.id}-undo.csv`;
        await uploadCsv(room, appUser, filename, csv, modify);
        await post(room, appUser, renderProgress(run, t), modify);
        run.undoSent = true;
        run.progress = { roomId: room.id };
        run.heartbeatAt = this.now();
        await this.deps.records.saveRun(run);
    }

    /** Where the undo list, progress and report go: the admin's direct room with the app user, or the audit room for the schedule. */
    private async homeRoom(run: RunRecord, appUser: IUser, audit: IRoom | undefined, read: IRead, modify: IModify): Promise<IRoom> {
        if (run.by) {
            const admin = await read.getUserReader().getById(run.by.id);
            if (!admin) throw new Error(`The admin ${run.by.username} is gone`);
            return directRoomWith(admin, appUser, read, modify);
        }
        if (!audit) throw new Error('The scheduled clean-up needs an audit room');
        return audit;
    }

    /**
     * A progress line per step, as a new message: editing one would need the
     * `message.read` permission (the engine reads a message before updating it).
     */
    private async showProgress(run: RunRecord, appUser: IUser, read: IRead, modify: IModify, t: Translate): Promise<void> {
        const room = run.progress && (await read.getRoomReader().getById(run.progress.roomId));
        if (room) await post(room, appUser, renderProgress(run, t), modify).catch((error) => this.deps.logger().error('Progress message failed', error));
    }

    private async finish(run: RunRecord, appUser: IUser, audit: IRoom | undefined, read: IRead, modify: IModify, t: Translate): Promise<void> {
        run.finishedAt = this.now();
        run.heartbeatAt = run.finishedAt;
        await this.deps.records.saveRun(run);
        const report = renderReport(run, t);
        const home = await (run.progress ? read.getRoomReader().getById(run.progress.roomId) : this.homeRoom(run, appUser, audit, read, modify)).catch(
            () => undefined,
        );
        if (home) await post(home, appUser, report.text, modify, report.blocks);
        if (audit && audit.id !== home?.id) await post(audit, appUser, report.text, modify, report.blocks);
    }
}

/** The audit room the settings name, if any; a name that finds no room is an error the callers report before acting. */
export async function auditRoomOf(seats: SeatsConfig, read: IRead): Promise<IRoom | undefined> {
    if (!seats.auditRoom) return undefined;
    const room = await read.getRoomReader().getByName(seats.auditRoom);
    if (!room) throw new AuditRoomMissing(seats.auditRoom);
    return room;
}

export class AuditRoomMissing extends Error {
    constructor(readonly room: string) {
        super(`The audit room ${room} does not exist`);
    }
}

export function messageOf(error: unknown): string {
    if (error instanceof Error) return error.message;
    if (error && typeof error === 'object' && 'message' in error) return String(error.message);
    return String(error);
}
