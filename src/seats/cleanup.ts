import type { ILogger, IModify, IRead, ISchedulerModify } from '@rocket.chat/apps-engine/definition/accessors';

import { toCsv } from '../command/csv';
import type { Directory } from '../core/directory';
import { selectInactive } from '../core/seats/inactive';
import { UNDO_COLUMNS, undoRow } from '../core/seats/outcome';
import { dailyCron, dayOf, parseTimeOfDay } from '../core/seats/schedule';
import { translator } from '../i18n';
import { inProgressValues } from './DeactivationChat';
import { appUserOf, post, uploadCsv } from './messages';
import { RunRecord, SeatsRecords } from './records';
import { previewOf, renderPreview } from './render';
import { auditRoomOf, DeactivationRunner, messageOf } from './runner';
import type { SeatsConfig } from './settings';
import { seatUsersOf } from './users';

/** The daily clean-up: one recurring scheduler job for the cluster (the scheduler keeps one job per id). */
export const CLEANUP_JOB = 'seats-cleanup';
const FALLBACK_TIME = parseTimeOfDay('03:00') as { hour: number; minute: number };

export interface CleanupDeps {
    records: SeatsRecords;
    runner: DeactivationRunner;
    seats: () => SeatsConfig;
    directory: () => Promise<Directory>;
    instanceId: string;
    logger: () => ILogger;
    now?: () => number;
}

/** Every instance schedules the same job; a later call moves its time of day (skipImmediate: no run now). */
export async function scheduleCleanup(scheduler: ISchedulerModify, seats: SeatsConfig): Promise<void> {
    await scheduler.scheduleRecurring({ id: CLEANUP_JOB, interval: dailyCron(seats.cleanup.time ?? FALLBACK_TIME), skipImmediate: true });
}

/**
 * One day's clean-up, on whichever instance the scheduler picked: at most one
 * per UTC day for the whole cluster, with the review's rules and exemptions;
 * a dry run only reports, a real one starts a run like a confirmed review.
 * Everything is written to the audit room, which the clean-up needs.
 */
export async function runCleanup(deps: CleanupDeps, read: IRead, modify: IModify): Promise<void> {
    const seats = deps.seats();
    const now = (deps.now ?? Date.now)();
    if (!seats.enabled || !seats.cleanup.enabled) return;
    if (!seats.auditRoom) {
        deps.logger().error(`The daily clean-up needs an audit room (deactivation_audit_room): nothing was done`);
        return;
    }
    if (!(await deps.records.claimCleanupDay(dayOf(now), deps.instanceId, now))) return;
    const t = translator();
    const audit = await auditRoomOf(seats, read).catch((error) => deps.logger().error(messageOf(error)));
    if (!audit) return;
    const appUser = await appUserOf(read);
    const say = (text: string, blocks?: Parameters<typeof post>[4]) => post(audit, appUser, text, modify, blocks);

    const days = seats.cleanup.days;
    if (days === undefined) {
        await say(t('seats_cleanup_bad_days', { setting: '`cleanup_inactive_days`' }));
        return;
    }
    const selection = selectInactive(seatUsersOf(await deps.directory()), days, now, { appUserId: appUser.id, exemptRoles: seats.exemptRoles });
    const data = previewOf(selection, days, seats, appUser.username);
    const users = data.users;
    const preview = renderPreview(data, t, '');
    // The review's button has no place in the audit room.
    const blocks = preview.blocks.filter((block) => block.type !== 'actions');
    if (seats.cleanup.dryRun) {
        await say(t.count('seats_cleanup_dry_run', users.length), blocks);
        if (users.length > 0) await uploadCsv(audit, appUser, `cleanup-dry-run-${dayOf(now)}.csv`, toCsv(users.map(undoRow), UNDO_COLUMNS), modify);
        return;
    }
    if (users.length === 0) {
        await say(t.count('seats_cleanup_nobody', 0), blocks);
        return;
    }
    const run: RunRecord = {
        kind: 'seats-run',
        id: `cleanup-${dayOf(now)}-${now.toString(36)}`,
        trigger: 'schedule',
        days,
        cutoff: Date.parse(selection.cutoff),
        users,
        entries: [],
        state: 'running',
        undoSent: false,
        startedAt: now,
        heartbeatAt: now,
    };
    const claim = await deps.records.claimRun(run, now);
    if (!claim.claimed) {
        await say(t('seats_cleanup_busy', inProgressValues(claim.current, t)));
        return;
    }
    await say(t.count('seats_cleanup_starting', users.length), blocks);
    await deps.runner.scheduleStep(run.id, modify, 'in 1 second');
}
