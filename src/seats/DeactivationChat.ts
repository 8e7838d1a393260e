import type { ILogger, IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUIKitResponse, UIKitViewSubmitInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { ChatRequest, Responder } from '../command/DirectoryChat';
import { code } from '../command/mrkdwn';
import type { Directory } from '../core/directory';
import { parseInactiveArgument, selectInactive, SeatsInputError } from '../core/seats/inactive';
import { Translate, translator } from '../i18n';
import { appUserOf, notify } from './messages';
import { isRunning, Plan, PLAN_TTL_MS, RunRecord, SeatsRecords } from './records';
import { CONFIRM_VIEW_PREFIX, PreviewData, previewOf, renderConfirmModal, renderNoticeModal, renderPreview, renderReviewView, SeatsAction } from './render';
import { reactivateCommand, ReactivationDeps } from './reactivate';
import { AuditRoomMissing, auditRoomOf, DeactivationRunner, messageOf } from './runner';
import type { SeatsConfig } from './settings';
import { seatUsersOf } from './users';

export interface DeactivationChatDeps {
    appId: string;
    records: SeatsRecords;
    runner: DeactivationRunner;
    seats: () => SeatsConfig;
    directory: () => Promise<Directory>;
    logger: () => ILogger;
    reactivation: ReactivationDeps;
    now?: () => number;
}

/** Refused before anything is read or changed: an i18n key. */
class Refusal extends Error {
    constructor(
        readonly key: string,
        readonly values: Record<string, string> = {},
    ) {
        super(key);
    }
}

const DEFAULT_REVIEW_DAYS = 90;
const isAdmin = (user: IUser) => (user.roles ?? []).includes('admin');

/**
 * `/users deactivate inactive:<N>d`, the contextual bar's review, the
 * confirmation modal and its submission. Admins only, and only while the
 * `deactivation_enabled` setting is on; a preview changes nothing.
 */
export class DeactivationChat {
    private readonly now: () => number;

    constructor(private readonly deps: DeactivationChatDeps) {
        this.now = deps.now ?? Date.now;
    }

    /** `/users deactivate …`: the preview as a message only the admin sees. */
    async command(args: readonly string[], user: IUser, room: IRoom | undefined, read: IRead, modify: IModify): Promise<void> {
        const t = translatorFor(user);
        try {
            this.gate(user);
            const days = parseInactiveArgument(args);
            const preview = renderPreview(await this.preview(user, days, read), t, this.deps.appId);
            await notify(user, room, read, modify, preview.text, preview.blocks);
        } catch (error) {
            await notify(user, room, read, modify, this.explain(error, t));
        }
    }

    /** The buttons and the bar's select: open the review, change its days, open the confirmation. */
    async blockAction(user: IUser, actionId: string, value: string | string[] | undefined, responder: Responder, read: IRead): Promise<IUIKitResponse> {
        const t = translatorFor(user);
        if (actionId === SeatsAction.confirm) {
            try {
                this.gate(user);
                const plan = await this.currentPlan(user, String(value ?? ''));
                const seats = this.deps.seats();
                const bot = (await appUserOf(read)).username;
                return responder.openModalViewResponse(
                    renderConfirmModal(
                        { id: plan.id, days: plan.days, cutoff: plan.cutoff, count: plan.users.length, exemptRoles: [...seats.exemptRoles], bot },
                        t,
                        this.deps.appId,
                    ) as never,
                );
            } catch (error) {
                return responder.openModalViewResponse(
                    renderNoticeModal(`${CONFIRM_VIEW_PREFIX}notice`, t('seats_notice_title'), this.explain(error, t), t, this.deps.appId) as never,
                );
            }
        }
        // The bar's review: opened by a button, updated in place when the days change.
        const days = Number(Array.isArray(value) ? value[0] : value) || DEFAULT_REVIEW_DAYS;
        let body: { blocks: ReturnType<typeof renderPreview>['blocks'] } | { message: string };
        try {
            this.gate(user);
            parseInactiveArgument([`inactive:${days}d`]);
            body = renderPreview(await this.preview(user, days, read), t, this.deps.appId);
        } catch (error) {
            body = { message: this.explain(error, t) };
        }
        const view = renderReviewView(days, body, t, this.deps.appId) as never;
        // The days select lives in the bar: it updates the bar in place; the review button opens it.
        return actionId === SeatsAction.days ? responder.updateContextualBarViewResponse(view) : responder.openContextualBarViewResponse(view);
    }

    /**
     * The report's "Reactivate these users": the users the run deactivated,
     * taken from the stored run (the button's value only names it, and a
     * client can send any value), through `/users reactivate` and its checks.
     */
    async reactivateRun(request: ChatRequest, runId: string): Promise<void> {
        const { user, room, read, modify } = request;
        // A non-admin is refused by reactivation itself, before anything is looked up.
        const run = isAdmin(user) ? await this.deps.records.run() : undefined;
        const ids = run?.id === runId ? run.entries.filter((entry) => entry.outcome.kind === 'done').map((entry) => entry.id) : [];
        if (isAdmin(user) && ids.length === 0) {
            const t = translatorFor(user);
            return notify(user, room, read, modify, t('seats_reactivate_run_gone', { run: code(runId), command: code('/users reactivate <id>…') }));
        }
        await reactivateCommand(ids, { ...request, caller: user }, this.deps.reactivation);
    }

    /** The confirmation modal's submit: claims the workspace's one run and schedules its first step. */
    async viewSubmit(context: UIKitViewSubmitInteractionContext, read: IRead, modify: IModify): Promise<IUIKitResponse> {
        const { user, view } = context.getInteractionData();
        const responder = context.getInteractionResponder();
        const t = translatorFor(user);
        const planId = view.id.slice(CONFIRM_VIEW_PREFIX.length);
        const answer = (title: string, message: string) =>
            responder.updateModalViewResponse(renderNoticeModal(view.id, title, message, t, this.deps.appId) as never);
        try {
            this.gate(user);
            const plan = await this.currentPlan(user, planId);
            const run = newRun(plan, user, this.now());
            const claim = await this.deps.records.claimRun(run, this.now());
            if (!claim.claimed) {
                throw new Refusal('seats_error_in_progress', inProgressValues(claim.current, t));
            }
            await this.deps.records.savePlan({ ...plan, runId: run.id });
            await this.deps.runner.scheduleStep(run.id, modify, 'in 1 second');
            const bot = (await appUserOf(read)).username;
            return answer(t('seats_started_title'), t.count('seats_started', run.users.length, { bot: code(`@${bot}`), run: code(run.id) }));
        } catch (error) {
            return answer(t('seats_notice_title'), this.explain(error, t));
        }
    }

    /** Admins only, and only while the setting is on; the audit room, when set, must exist. */
    private gate(user: IUser): void {
        if (!isAdmin(user)) throw new Refusal('seats_error_admin_only');
        if (!this.deps.seats().enabled) throw new Refusal('seats_error_disabled', { setting: code('deactivation_enabled') });
    }

    /** Selects from the directory and keeps the result as the admin's current plan. */
    private async preview(user: IUser, days: number, read: IRead): Promise<PreviewData> {
        const seats = this.deps.seats();
        await auditRoomOf(seats, read);
        const appUser = await appUserOf(read);
        const now = this.now();
        const selection = selectInactive(seatUsersOf(await this.deps.directory()), days, now, {
            callerId: user.id,
            appUserId: appUser.id,
            exemptRoles: seats.exemptRoles,
        });
        const preview = previewOf(selection, days, seats, appUser.username);
        const plan: Plan = {
            kind: 'seats-plan',
            id: `${now.toString(36)}${Math.random().toString(36).slice(2, 8)}`,
            days,
            cutoff: preview.cutoff,
            createdAt: now,
            by: { id: user.id, username: user.username },
            users: preview.users,
        };
        await this.deps.records.savePlan(plan);
        return { ...preview, planId: plan.id };
    }

    /** The admin's preview `planId`, if it is still the latest, not yet confirmed and not too old. */
    private async currentPlan(user: IUser, planId: string): Promise<Plan> {
        const plan = await this.deps.records.planOf(user.id);
        if (!plan || plan.id !== planId) throw new Refusal('seats_error_plan_replaced');
        if (plan.runId) {
            const run = await this.deps.records.run();
            const running = run?.id === plan.runId && isRunning(run, this.now());
            throw new Refusal(running ? 'seats_error_plan_running' : 'seats_error_plan_done', { run: code(plan.runId) });
        }
        if (this.now() - plan.createdAt > PLAN_TTL_MS) throw new Refusal('seats_error_plan_expired');
        return plan;
    }

    private explain(error: unknown, t: Translate): string {
        if (error instanceof Refusal || error instanceof SeatsInputError) {
            const values = Object.fromEntries(
                Object.entries(error.values).map(([name, value]) => [name, /^\d+$/.test(value) || value.startsWith('`') ? value : code(value)]),
            );
            return `${t(error.key, values)}${error instanceof SeatsInputError ? `\n${t('seats_usage', { example: code('/users deactivate inactive:90d') })}` : ''}`;
        }
        if (error instanceof AuditRoomMissing) {
            return t('seats_error_audit_room', { room: code(`#${error.room}`), setting: code('deactivation_audit_room') });
        }
        this.deps.logger().error('Deactivation failed', error);
        return t('seats_error_unexpected', { error: code(messageOf(error)) });
    }
}

function newRun(plan: Plan, user: IUser, now: number): RunRecord {
    return {
        kind: 'seats-run',
        id: `run-${now.toString(36)}${Math.random().toString(36).slice(2, 6)}`,
        trigger: 'manual',
        by: { id: user.id, username: user.username },
        language: user.settings?.preferences?.language,
        planId: plan.id,
        days: plan.days,
        cutoff: plan.cutoff,
        users: plan.users,
        entries: [],
        state: 'running',
        undoSent: false,
        startedAt: now,
        heartbeatAt: now,
    };
}

export function inProgressValues(run: RunRecord, t: Translate): Record<string, string> {
    return {
        by: run.by ? code(`@${run.by.username}`) : t('seats_by_schedule'),
        handled: t.number(run.entries.length),
        total: t.number(run.users.length),
        run: code(run.id),
    };
}

function translatorFor(user: IUser): Translate {
    return translator(user.settings?.preferences?.language);
}
