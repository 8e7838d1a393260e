/**
 * `/users reactivate <id> [<id>...]`: users back from the undo list. The
 * engine's user updater has no `activate`, so the app calls Rocket.Chat's
 * REST API (`POST /api/v1/users.setActiveStatus`) at the server's Site_Url
 * over its HTTP accessor, with an admin's user id and personal access token
 * from two settings. The token is never shown, logged or echoed.
 *
 * Pure core: parse the ids, decide (admin, switch, unknown ids,
 * credentials), read the server's answer. The adapter reads users, calls
 * the server and writes the reply.
 */
import type { IHttp, IHttpResponse, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { ISetting, SettingType } from '@rocket.chat/apps-engine/definition/settings';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { translator, Translate } from '../i18n';
import { seatSetting, SeatsSettingId } from './settings';

export const ReactivationSettingId = {
    /** The switch of seat management (deactivation and reactivation), off by default. */
    enabled: SeatsSettingId.enabled,
    apiUserId: 'server_api_user_id',
    apiToken: 'server_api_token',
} as const;

/** The credentials reactivation calls the server with; the token a password setting. */
export const REACTIVATION_SETTINGS: ISetting[] = [
    seatSetting(ReactivationSettingId.apiUserId, SettingType.STRING, ''),
    seatSetting(ReactivationSettingId.apiToken, SettingType.PASSWORD, ''),
];

export interface ReactivationConfig {
    enabled: boolean;
    apiUserId: string;
    apiToken: string;
}

export function reactivationConfigFromValues(values: ReadonlyMap<string, unknown>): ReactivationConfig {
    const text = (id: string) => {
        const value = values.get(id);
        return typeof value === 'string' ? value.trim() : '';
    };
    return {
        enabled: values.get(ReactivationSettingId.enabled) === true,
        apiUserId: text(ReactivationSettingId.apiUserId),
        apiToken: text(ReactivationSettingId.apiToken),
    };
}

/** At most this many ids in one command: each is one call to the server, and the command must answer within the engine's 30 s. */
export const MAX_IDS = 100;

/** The ids of a command's words: separated by spaces, commas or semicolons (a pasted CSV column works), quotes dropped, each once. */
export function parseIds(words: readonly string[]): string[] {
    const ids = words.flatMap((word) => word.split(/[\s,;]+/)).map((id) => id.replace(/^["']+|["']+$/g, ''));
    return [...new Set(ids.filter((id) => id.length > 0))];
}

/** A user to reactivate, as the server knows it. */
export interface Target {
    id: string;
    username: string;
    active: boolean;
}

export type Decision =
    | { kind: 'not-admin' }
    | { kind: 'disabled' }
    | { kind: 'usage' }
    | { kind: 'too-many'; count: number }
    | { kind: 'unknown'; ids: string[] }
    | { kind: 'no-credentials'; targets: Target[] }
    | { kind: 'reactivate'; targets: Target[] };

/** What to do, in this order: admins only, the switch, ids given and not too many, every id known, credentials set. */
export function decide(
    caller: { roles?: readonly string[] },
    ids: readonly string[],
    config: ReactivationConfig,
    known: ReadonlyMap<string, Target>,
): Decision {
    if (!caller.roles?.includes('admin')) return { kind: 'not-admin' };
    if (!config.enabled) return { kind: 'disabled' };
    if (ids.length === 0) return { kind: 'usage' };
    if (ids.length > MAX_IDS) return { kind: 'too-many', count: ids.length };
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) return { kind: 'unknown', ids: unknown };
    const targets = ids.map((id) => known.get(id) as Target);
    if (!config.apiUserId || !config.apiToken) return { kind: 'no-credentials', targets };
    return { kind: 'reactivate', targets };
}

export type Outcome =
    { target: Target; result: 'reactivated' } | { target: Target; result: 'already-active' } | { target: Target; result: 'failed'; reason: string };

/** The server's answer to `users.setActiveStatus`: done, or why not (its own error text, never the request). */
export function readAnswer(response: Pick<IHttpResponse, 'statusCode' | 'data' | 'content'>): { ok: true } | { ok: false; reason: string } {
    const data = (response.data ?? {}) as { success?: unknown; error?: unknown; message?: unknown };
    if (response.statusCode === 200 && data.success === true) return { ok: true };
    if (response.statusCode === 401) return { ok: false, reason: 'credentials' };
    const said = typeof data.error === 'string' ? data.error : typeof data.message === 'string' ? data.message : '';
    return { ok: false, reason: said ? `HTTP ${response.statusCode}: ${said.slice(0, 200)}` : `HTTP ${response.statusCode}` };
}

const mention = (target: Target) => `@${target.username} (\`${target.id}\`)`;

/** The reply for a decision that calls nobody. */
export function decisionText(decision: Exclude<Decision, { kind: 'reactivate' }>, t: Translate): string {
    switch (decision.kind) {
        case 'not-admin':
            return t('reactivate_error_admin_only');
        case 'disabled':
            return t('reactivate_error_disabled', { setting: `\`${ReactivationSettingId.enabled}\`` });
        case 'usage':
            return t('reactivate_usage');
        case 'too-many':
            return t('reactivate_error_too_many', { count: t.number(decision.count), max: t.number(MAX_IDS) });
        case 'unknown':
            return t.count('reactivate_error_unknown', decision.ids.length, { ids: decision.ids.map((id) => `\`${id}\``).join(', ') });
        case 'no-credentials':
            return [
                t('reactivate_no_credentials', { user: `\`${ReactivationSettingId.apiUserId}\``, token: `\`${ReactivationSettingId.apiToken}\`` }),
                ...decision.targets.map((target) => `• ${mention(target)}`),
            ].join('\n');
    }
}

/** The report of a run: one line per user, counts first. */
export function reportText(outcomes: readonly Outcome[], t: Translate): string {
    const done = outcomes.filter((o) => o.result === 'reactivated').length;
    const failed = outcomes.filter((o) => o.result === 'failed').length;
    const lines = outcomes.map((o) => {
        if (o.result === 'reactivated') return `• ${mention(o.target)}: ${t('reactivate_done')}`;
        if (o.result === 'already-active') return `• ${mention(o.target)}: ${t('reactivate_already_active')}`;
        const reason = o.reason === 'credentials' ? t('reactivate_failed_credentials', { user: `\`${ReactivationSettingId.apiUserId}\`` }) : o.reason;
        return `• ${mention(o.target)}: ${t('reactivate_failed', { reason })}`;
    });
    return [t('reactivate_report', { done: t.number(done), failed: t.number(failed), total: t.number(outcomes.length) }), ...lines].join('\n');
}

// ---------------------------------------------------------------------------
// Adapter

export interface ReactivationDeps {
    config: () => ReactivationConfig;
    /** Shows a reactivated user in the directory of every instance (Rocket.Chat sends no event for it), with the handler's persistence writer. */
    publish: (user: IUser, persis: IPersistence) => void;
}

export interface ReactivationRequest {
    caller: IUser;
    room?: IRoom;
    read: IRead;
    modify: IModify;
    persis: IPersistence;
    http: IHttp;
}

/** The server's `Site_Url`, without a trailing slash. */
async function siteUrl(read: IRead): Promise<string> {
    const value: unknown = await read.getEnvironmentReader().getServerSettings().getValueById('Site_Url');
    return typeof value === 'string' ? value.replace(/\/+$/, '') : '';
}

/** One user at a time: the server's own checks and events run for each. */
async function reactivateAll(targets: readonly Target[], request: ReactivationRequest, deps: ReactivationDeps): Promise<Outcome[]> {
    const { apiUserId, apiToken } = deps.config();
    const base = await siteUrl(request.read);
    const outcomes: Outcome[] = [];
    for (const target of targets) {
        if (target.active) {
            outcomes.push({ target, result: 'already-active' });
            continue;
        }
        if (!base) {
            outcomes.push({ target, result: 'failed', reason: 'Site_Url is not set' });
            continue;
        }
        let answer: ReturnType<typeof readAnswer>;
        try {
            const response = await request.http.post(`${base}/api/v1/users.setActiveStatus`, {
                headers: { 'X-User-Id': apiUserId, 'X-Auth-Token': apiToken, 'Content-Type': 'application/json' },
                data: { userId: target.id, activeStatus: true },
            });
            answer = readAnswer(response);
        } catch (error) {
            answer = { ok: false, reason: error instanceof Error ? error.message : String(error) };
        }
        if (!answer.ok) {
            outcomes.push({ target, result: 'failed', reason: answer.reason });
            continue;
        }
        outcomes.push({ target, result: 'reactivated' });
        const user = await request.read.getUserReader().getById(target.id);
        if (user) deps.publish(user, request.persis);
    }
    return outcomes;
}

async function knownTargets(ids: readonly string[], read: IRead): Promise<Map<string, Target>> {
    const known = new Map<string, Target>();
    for (const id of ids) {
        const user = await read.getUserReader().getById(id);
        if (user?.id) known.set(id, { id: user.id, username: user.username, active: user.isEnabled !== false });
    }
    return known;
}

/** `/users reactivate …` (the words after `reactivate`): answers the caller only. */
export async function reactivateCommand(words: readonly string[], request: ReactivationRequest, deps: ReactivationDeps): Promise<void> {
    const t = translator(request.caller.settings?.preferences?.language);
    const ids = parseIds(words);
    const config = deps.config();
    // Nobody but an admin learns which ids exist; the server is asked about no more than MAX_IDS.
    const mayLook = request.caller.roles?.includes('admin') && config.enabled && ids.length <= MAX_IDS;
    const decision = decide(request.caller, ids, config, mayLook ? await knownTargets(ids, request.read) : new Map());
    const text = decision.kind === 'reactivate' ? reportText(await reactivateAll(decision.targets, request, deps), t) : decisionText(decision, t);
    await notify(request, text);
}

async function notify({ caller, room, read, modify }: ReactivationRequest, text: string): Promise<void> {
    if (!room) return;
    const builder = modify.getCreator().startMessage().setRoom(room).setText(text);
    const appUser = await read.getUserReader().getAppUser();
    if (appUser) builder.setSender(appUser);
    await modify.getNotifier().notifyUser(caller, builder.getMessage());
}
