import type { LayoutBlock } from '@rocket.chat/ui-kit';

import { strong, code, text } from '../command/mrkdwn';
import { Action } from '../command/render';
import { EXEMPTIONS, Exemption, InactiveSelection, SeatUser } from '../core/seats/inactive';
import { RunEntry, SKIP_REASONS, tally } from '../core/seats/outcome';
import type { Translate } from '../i18n';
import { MAX_RUN_USERS, RunRecord } from './records';
import type { SeatsConfig } from './settings';

/** Action ids of deactivation's buttons and views. */
export const SeatsAction = {
    /** Opens the confirmation modal of a preview (value: the plan id). */
    confirm: 'seats.confirm',
    /** The contextual bar's review: value the number of days (the directory's bar opens it too). */
    review: Action.reviewDeactivation,
    days: 'seats.days',
    /** A run's report: reactivates the users the run deactivated (value: the run id, checked against the stored run). */
    reactivate: 'seats.reactivate',
} as const;

export const REVIEW_VIEW_ID = 'user-directory-seats-review';
export const CONFIRM_VIEW_PREFIX = 'user-directory-seats-confirm-';
export const PREVIEW_PAGE_SIZE = 10;
/** Days the contextual bar offers to choose from. */
export const REVIEW_DAYS = [30, 60, 90, 180, 365];
/** Usernames a report lists per kind; the rest are counted (the undo list and the audit room have them all). */
const REPORT_NAMES = 20;

/** What a preview shows: the selection, after exemptions. */
export interface PreviewData {
    planId: string;
    days: number;
    cutoff: number;
    /** Who would be deactivated (at most MAX_RUN_USERS). */
    users: SeatUser[];
    /** Eligible users beyond the one run's limit. */
    leftOver: number;
    matched: number;
    exempted: Record<Exemption, number>;
    exemptRoles: string[];
    auditRoom: string;
    bot: string;
}

/** What a preview shows of a selection: one run's worth of users, how many are left over, and what each exemption kept out. */
export function previewOf(selection: InactiveSelection, days: number, seats: SeatsConfig, bot: string, planId = ''): PreviewData {
    const users = selection.eligible.slice(0, MAX_RUN_USERS);
    return {
        planId,
        days,
        cutoff: Date.parse(selection.cutoff),
        users,
        leftOver: selection.eligible.length - users.length,
        matched: selection.matched,
        exempted: selection.exempted,
        exemptRoles: [...seats.exemptRoles],
        auditRoom: seats.auditRoom,
        bot,
    };
}

const handle = (username: string | undefined) => (username ? (username.startsWith('@') ? username : `@${username}`) : '');

function who(user: { username?: string; name?: string; id: string }): string {
    const name = user.name?.trim();
    const username = handle(user.username);
    if (name && username) return `${strong(name)} ${code(username)}`;
    return name ? strong(name) : code(username || user.id);
}

function lastSeen(user: SeatUser, t: Translate): string {
    if (user.lastLogin) return t('seats_last_login', { date: t.date(user.lastLogin) });
    return user.createdAt ? t('seats_never_created', { date: t.date(user.createdAt) }) : t('seats_never');
}

/** How many of the matched users each exemption kept out, as a grid of fields. */
function exemptionBlocks(data: PreviewData, t: Translate): LayoutBlock[] {
    const fields = EXEMPTIONS.map((exemption) => {
        const label =
            exemption === 'exemptRole'
                ? t('seats_exempt_exemptRole', { roles: data.exemptRoles.length ? text(data.exemptRoles.join(', ')) : t('seats_none') })
                : t(`seats_exempt_${exemption}`);
        return { type: 'mrkdwn' as const, text: `${label}: *${t.number(data.exempted[exemption])}*` };
    });
    return [
        { type: 'context', elements: [{ type: 'mrkdwn', text: `${t.count('seats_matched', data.matched)} ${t('seats_kept_out')}` }] },
        { type: 'section', fields },
    ];
}

/** The preview: the count, what each exemption kept out, the first page, and the button to the confirmation. */
export function renderPreview(data: PreviewData, t: Translate, appId: string): { text: string; blocks: LayoutBlock[] } {
    const count = data.users.length;
    const headline = t.count('seats_preview_count', count, { days: t.number(data.days), cutoff: t.date(new Date(data.cutoff).toISOString()) });
    const blocks: LayoutBlock[] = [
        { type: 'section', text: { type: 'mrkdwn', text: `${strong(t('seats_preview_title', { days: t.number(data.days) }))}\n${headline}` } },
        ...exemptionBlocks(data, t),
    ];
    if (count > 0) {
        const lines = data.users.slice(0, PREVIEW_PAGE_SIZE).map((user) => `${who(user)} · ${lastSeen(user, t)}`);
        if (count > PREVIEW_PAGE_SIZE) lines.push(t.count('seats_and_more', count - PREVIEW_PAGE_SIZE));
        blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
        if (data.leftOver > 0) {
            blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: t.count('seats_left_over', data.leftOver) }] });
        }
    }
    const notes = [t('seats_preview_nothing_changed'), count > 0 ? t('seats_preview_undo', { bot: code(handle(data.bot)) }) : t('seats_preview_nobody')];
    notes.push(data.auditRoom ? t('seats_audit_room', { room: code(`#${data.auditRoom}`) }) : t('seats_no_audit_room'));
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: notes.join(' ') }] });
    if (count > 0) {
        blocks.push({
            type: 'actions',
            blockId: 'seats.preview.actions',
            elements: [
                {
                    type: 'button',
                    appId,
                    blockId: 'seats.preview.actions',
                    actionId: SeatsAction.confirm,
                    style: 'danger',
                    value: data.planId,
                    text: { type: 'plain_text', text: t.count('seats_button_review', count) },
                },
            ],
        });
    }
    return { text: `${t('seats_preview_title', { days: t.number(data.days) })}: ${headline}`, blocks };
}

/** The contextual bar's review: a choice of days above the same preview. */
export function renderReviewView(days: number, preview: { blocks: LayoutBlock[] } | { message: string }, t: Translate, appId: string) {
    const options = [...new Set([...REVIEW_DAYS, days])]
        .sort((a, b) => a - b)
        .map((value) => ({ value: String(value), text: { type: 'plain_text' as const, text: t.count('seats_days', value) } }));
    const select = {
        type: 'input',
        blockId: 'seats.review.days',
        label: { type: 'plain_text', text: t('seats_review_days_label') },
        element: {
            type: 'static_select',
            appId,
            blockId: 'seats.review.days',
            actionId: SeatsAction.days,
            placeholder: { type: 'plain_text', text: t('seats_review_days_label') },
            initialValue: String(days),
            options,
            dispatchActionConfig: ['on_item_selected'],
        },
    } as LayoutBlock;
    const body: LayoutBlock[] = 'blocks' in preview ? preview.blocks : [{ type: 'section', text: { type: 'mrkdwn', text: preview.message } }];
    return { id: REVIEW_VIEW_ID, type: 'contextualBar', title: { type: 'plain_text' as const, text: t('seats_review_title') }, blocks: [select, ...body] };
}

/** The confirmation: the exact number, what happens, and a submit button that says it again. */
export function renderConfirmModal(
    plan: { id: string; days: number; cutoff: number; count: number; exemptRoles: string[]; bot: string },
    t: Translate,
    appId: string,
) {
    const values = {
        days: t.number(plan.days),
        cutoff: t.date(new Date(plan.cutoff).toISOString()),
        bot: code(handle(plan.bot)),
        roles: plan.exemptRoles.length ? plan.exemptRoles.map(code).join(', ') : t('seats_none'),
    };
    return {
        id: `${CONFIRM_VIEW_PREFIX}${plan.id}`,
        type: 'modal',
        title: { type: 'plain_text' as const, text: t.count('seats_modal_title', plan.count) },
        submit: {
            type: 'button',
            appId,
            blockId: 'seats.modal',
            actionId: 'seats.modal.submit',
            style: 'danger',
            text: { type: 'plain_text', text: t.count('seats_modal_submit', plan.count) },
        },
        close: {
            type: 'button',
            appId,
            blockId: 'seats.modal',
            actionId: 'seats.modal.close',
            text: { type: 'plain_text', text: t('seats_modal_cancel') },
        },
        blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: t.count('seats_modal_body', plan.count, values) } },
            { type: 'section', text: { type: 'mrkdwn', text: t('seats_modal_steps', values) } },
            { type: 'context', elements: [{ type: 'mrkdwn', text: t('seats_modal_never', values) }] },
        ] as LayoutBlock[],
    };
}

/** A modal that only says something (the run started, or why nothing happened). */
export function renderNoticeModal(viewId: string, title: string, message: string, t: Translate, appId: string) {
    return {
        id: viewId,
        type: 'modal',
        title: { type: 'plain_text' as const, text: title },
        close: { type: 'button', appId, blockId: 'seats.modal', actionId: 'seats.modal.close', text: { type: 'plain_text', text: t('seats_modal_close') } },
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message } }] as LayoutBlock[],
    };
}

/** Usernames, the first `limit` of them and a count of the rest (the audit lists everyone: no limit). */
const names = (entries: readonly RunEntry[], t: Translate, limit = Infinity) => {
    const shown = entries.slice(0, limit).map((entry) => code(handle(entry.username) || entry.id));
    if (entries.length > limit) shown.push(t.count('seats_and_more', entries.length - limit));
    return shown.join(', ');
};

/** "Deactivating 12 users inactive for 90 days: 5 of 12 handled (4 deactivated, 1 skipped)". */
export function renderProgress(run: RunRecord, t: Translate): string {
    const { done, skippedTotal } = tally(run.entries);
    const values = { days: t.number(run.days), handled: t.number(run.entries.length), done: t.number(done), skipped: t.number(skippedTotal) };
    return t.count('seats_progress', run.users.length, values);
}

function reasonLines(entries: readonly RunEntry[], t: Translate, limit = Infinity): string[] {
    const lines: string[] = [];
    for (const reason of SKIP_REASONS) {
        const skipped = entries.filter((entry) => entry.outcome.kind === 'skipped' && entry.outcome.reason === reason);
        if (skipped.length === 0) continue;
        const details = [
            ...new Set(skipped.map((entry) => (entry.outcome.kind === 'skipped' && reason !== 'loggedInSince' ? entry.outcome.detail : undefined))),
        ]
            .filter((detail): detail is string => !!detail)
            .map((detail) => code(reason === 'exempt' ? t(`seats_exempt_${detail}`) : detail));
        lines.push(
            `• ${t(`seats_skip_${reason}`)} (${t.number(skipped.length)}): ${names(skipped, t, limit)}${details.length ? ` — ${details.join(', ')}` : ''}`,
        );
    }
    return lines;
}

/** The end report: done, and each reason for skipping with its users and the server's words. */
export function renderReport(run: RunRecord, t: Translate, appId: string): { text: string; blocks: LayoutBlock[] } {
    const { done, skippedTotal } = tally(run.entries);
    const by = run.by ? code(handle(run.by.username)) : t('seats_by_schedule');
    const title = t('seats_report_title', { days: t.number(run.days) });
    const summary =
        run.state === 'failed'
            ? t('seats_report_failed', { reason: text(run.failure ?? '') })
            : `${t.count('seats_report_done', done)} · ${t.count('seats_report_skipped', skippedTotal)}`;
    const blocks: LayoutBlock[] = [
        { type: 'section', text: { type: 'mrkdwn', text: `${strong(title)}\n${summary}` } },
        {
            type: 'context',
            elements: [
                {
                    type: 'mrkdwn',
                    text: t('seats_report_context', {
                        by,
                        started: new Date(run.startedAt).toISOString().slice(0, 16).replace('T', ' '),
                        finished: new Date(run.finishedAt ?? run.heartbeatAt).toISOString().slice(0, 16).replace('T', ' '),
                        run: code(run.id),
                    }),
                },
            ],
        },
    ];
    const deactivated = run.entries.filter((entry) => entry.outcome.kind === 'done');
    const lines = [
        ...(deactivated.length ? [`• ${t('seats_report_deactivated')} (${t.number(deactivated.length)}): ${names(deactivated, t, REPORT_NAMES)}`] : []),
        ...reasonLines(run.entries, t, REPORT_NAMES),
    ];
    if (lines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
    if (deactivated.length) {
        blocks.push({
            type: 'actions',
            blockId: 'seats.report.actions',
            elements: [
                {
                    type: 'button',
                    appId,
                    blockId: 'seats.report.actions',
                    actionId: SeatsAction.reactivate,
                    value: run.id,
                    text: { type: 'plain_text', text: t('seats_button_reactivate') },
                },
            ],
        });
        blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: t('seats_report_reactivate_hint') }] });
    }
    return { text: `${title}: ${summary}`, blocks };
}

/** An audit line for what one step did. */
export function renderAuditStep(run: RunRecord, entries: readonly RunEntry[], t: Translate): string | undefined {
    if (entries.length === 0) return undefined;
    const deactivated = entries.filter((entry) => entry.outcome.kind === 'done');
    const lines = [t('seats_audit_step', { run: code(run.id) })];
    if (deactivated.length) lines.push(`• ${t('seats_report_deactivated')} (${t.number(deactivated.length)}): ${names(deactivated, t)}`);
    lines.push(...reasonLines(entries, t));
    return lines.join('\n');
}

export function renderAuditStart(run: RunRecord, t: Translate): string {
    const by = run.by ? code(handle(run.by.username)) : t('seats_by_schedule');
    return t.count('seats_audit_start', run.users.length, {
        by,
        days: t.number(run.days),
        run: code(run.id),
        cutoff: t.date(new Date(run.cutoff).toISOString()),
    });
}
