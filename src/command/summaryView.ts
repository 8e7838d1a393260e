import type { ButtonElement, LayoutBlock } from '@rocket.chat/ui-kit';

import type { Caller } from '../core/config';
import type { ListContext } from '../core/handlers';
import { canViewSeats, LAST_LOGIN_BUCKETS, summarize, WorkspaceSummary } from '../core/seats/summary';
import { text } from './mrkdwn';
import { PermissionError } from './errors';
import { emptyQuery, encodeQuery } from './parse';
import { Action, RenderContext, SEPARATOR } from './render';

/**
 * The workspace summary in the contextual bar: seats, user counts, last
 * logins as bars and the largest roles. UIKit has no chart, so a bar is a
 * run of block characters in mrkdwn, eighths of a cell included.
 */

export const SUMMARY_VIEW_ID = 'user-directory-summary';

/** Cells of a full bar: fits the 400 px bar beside the figures. */
const BAR_CELLS = 12;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A bar of `share` (0..1) in a track of BAR_CELLS cells, as inline code: the
 * code's box is the track, and its fixed width lines the bars up. Anything
 * above zero shows at least a sliver.
 */
export function bar(share: number): string {
    const eighths = share > 0 ? Math.max(1, Math.round(Math.min(1, share) * BAR_CELLS * 8)) : 0;
    const filled = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
    return `\`${filled.padEnd(BAR_CELLS, ' ')}\``;
}

const section = (mrkdwn: string): LayoutBlock => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } });
const context = (mrkdwn: string): LayoutBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn }] });

function button(render: RenderContext, actionId: string, label: string, value: string): ButtonElement {
    const blockId = 'directory.summary.actions';
    return { type: 'button', appId: render.appId, blockId, actionId, text: { type: 'plain_text', text: label }, value };
}

/** "500 (59%)": a count and its share of the total. */
function countAndShare(count: number, total: number, render: RenderContext): string {
    const { t } = render;
    return total > 0 ? t('summary_count_share', { count: t.number(count), share: t.number(Math.round((count / total) * 100)) }) : t.number(count);
}

export function renderSummaryView(summary: WorkspaceSummary, render: RenderContext) {
    const { t } = render;
    const { users, seats } = summary;
    const buckets = LAST_LOGIN_BUCKETS.map(
        (bucket) =>
            `${bar(seats > 0 ? summary.lastLogin[bucket] / seats : 0)} ${t(`summary_bucket_${bucket}`)}${SEPARATOR}${countAndShare(summary.lastLogin[bucket], seats, render)}`,
    );
    const largest = summary.roles[0]?.users ?? 0;
    const roles = summary.roles.map(({ role, users: count }) => `${bar(largest > 0 ? count / largest : 0)} ${text(role)}${SEPARATOR}${t.number(count)}`);
    const asOf = summary.asOf ? t('summary_as_of', { when: t.dateTime(summary.asOf) }) : '';

    const blocks: LayoutBlock[] = [
        section(t.count('summary_seats', seats)),
        context(t('summary_seat_rule')),
        section(
            [
                [
                    t.count('summary_users_total', users.total),
                    t.count('summary_users_active', users.active),
                    t.count('summary_users_deactivated', users.deactivated),
                ],
                [t.count('summary_users_guests', users.guests), t.count('summary_users_bots', users.bots), t.count('summary_users_apps', users.apps)],
            ]
                .map((line) => line.join(SEPARATOR))
                .join('\n'),
        ),
        { type: 'divider' },
        section(`${t.count('summary_last_login_title', seats)}\n${buckets.join('\n')}`),
        { type: 'divider' },
        section(roles.length > 0 ? `${t('summary_roles_title')}\n${roles.join('\n')}` : t('summary_roles_none')),
        context([t('summary_as_far_as_known'), asOf].filter(Boolean).join(' ')),
        {
            type: 'actions',
            blockId: 'directory.summary.actions',
            elements: [
                button(render, Action.summaryRefresh, t('summary_button_refresh'), 'refresh'),
                button(render, Action.open, t('summary_button_directory'), encodeQuery(emptyQuery())),
            ],
        },
    ];
    return { id: SUMMARY_VIEW_ID, type: 'contextualBar', title: { type: 'plain_text' as const, text: t('summary_title') }, blocks };
}

/** The Summary view for a caller; a PermissionError saying who may see it for anyone else. */
export function summaryViewFor(caller: Caller, context: ListContext, render: RenderContext, clock: { now: number; asOf: number | undefined }) {
    if (!canViewSeats(caller, context.config)) {
        throw new PermissionError('summary_not_allowed');
    }
    return renderSummaryView(summarize(context.directory, clock.now, clock.asOf), render);
}
