/**
 * `npm run screenshots:seats`: the deactivation screens (the preview, the
 * bar's review, the confirmation modal, the run's start and its report),
 * drawn by Rocket.Chat's own UIKit renderer, as PNGs in docs/screenshots/.
 *
 * Runs the packaged app in the local workspace (the demo workspace and an
 * audit room), turns deactivation on, and goes through a real run as the
 * admin; the report is read back from the admin's direct messages. Needs
 * uikit-render (../shared/tools/uikit-render or $UIKIT_RENDER) and Chromium.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { generateDemoWorkspace, startHost } from '../host';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = 'admin';

function findRenderer(): string {
    const candidates = [
        process.env.UIKIT_RENDER,
        path.resolve(ROOT, '../shared/tools/uikit-render/render.mjs'),
        path.resolve(ROOT, '../../shared/tools/uikit-render/render.mjs'),
    ];
    const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
    if (!found) throw new Error('uikit-render not found: set UIKIT_RENDER to its render.mjs');
    return found;
}

interface View {
    close?: unknown;
    submit?: unknown;
    blocks: unknown[];
}
/** What the workspace answers a command or click with (the parts used here). */
interface Reply {
    notifications: Array<{ sender?: string; blocks?: Array<{ elements?: Array<{ actionId?: string; value?: string }> }> }>;
    response: { view: View };
}
/** A message as `im.messages` lists it. */
interface RestMessage {
    _id: string;
    msg: string;
    ts: string;
    blocks?: unknown[];
    u?: { username?: string };
}

/**
 * The renderer draws a view's blocks but no modal footer: the picture gets
 * the footer's two buttons (close and submit, as the view defines them) as
 * a last row, so that it shows what the admin clicks.
 */
function withFooter(reply: Reply): Reply {
    const view = reply.response.view;
    const footer = { type: 'actions', blockId: 'footer', elements: [view.close, view.submit].filter(Boolean) };
    return { ...reply, response: { ...reply.response, view: { ...view, blocks: [...view.blocks, { type: 'divider' }, footer] } } };
}

async function main(): Promise<void> {
    const renderer = findRenderer();
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.js')], { stdio: 'inherit' });
    const zip = fs.readdirSync(path.join(ROOT, 'dist')).find((file) => file.endsWith('.zip'));
    if (!zip) throw new Error('no zip in dist/');

    const workspace = generateDemoWorkspace();
    workspace.rooms.push({ _id: 'seat-audit', name: 'seat-audit', t: 'c', members: [ADMIN], owners: [ADMIN] });
    const host = await startHost({ zipPath: path.join(ROOT, 'dist', zip), workspace, port: 0, log: () => undefined });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'seats-screenshots-'));
    const headers = { 'content-type': 'application/json', 'X-User-Id': ADMIN, 'X-Auth-Token': `${ADMIN}-token` };
    const post = async (urlPath: string, body: unknown) =>
        (await (await fetch(`${host.url}${urlPath}`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as Reply;
    const get = async (urlPath: string) => (await (await fetch(`${host.url}${urlPath}`, { headers })).json()) as { messages?: RestMessage[] };
    const interact = (body: Record<string, unknown>) => post(`/api/apps/ui.interaction/${host.appId}`, body);
    const shots: string[] = [];
    const keep = (name: string, reply: unknown) => {
        const file = path.join(work, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(reply));
        shots.push(file);
    };
    try {
        await host.ready;
        await post(`/api/apps/${host.appId}/settings`, {
            settings: [
                { id: 'deactivation_enabled', value: true },
                { id: 'deactivation_exempt_roles', value: 'livechat-agent, livechat-manager' },
                { id: 'deactivation_audit_room', value: 'seat-audit' },
            ],
        });
        const preview = await post('/api/v1/commands.run', { command: 'users', params: 'deactivate inactive:730d', roomId: 'GENERAL' });
        keep('seats-preview', preview);
        const blocks = preview.notifications[0].blocks ?? [];
        const planId = blocks.flatMap((block) => block.elements ?? []).find((element) => element.actionId === 'seats.confirm')?.value;
        const modal = await interact({ type: 'blockAction', actionId: 'seats.confirm', value: planId, rid: 'GENERAL' });
        keep('seats-modal', withFooter(modal));
        const started = await interact({ type: 'viewSubmit', view: modal.response.view });
        keep('seats-started', started);
        // The bar's review makes a new preview (the latest one is what a confirmation takes): after the run started.
        keep('seats-bar-review', await interact({ type: 'blockAction', actionId: 'seats.review', value: '365', rid: 'GENERAL' }));

        const bot = String(preview.notifications[0].sender);
        const deadline = Date.now() + 5 * 60_000;
        let messages: RestMessage[] = [];
        while (Date.now() < deadline && !messages.some((m) => String(m.msg).startsWith('Deactivation report'))) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            messages = (await get(`/api/v1/im.messages?username=${encodeURIComponent(bot)}&sort=${encodeURIComponent('{"ts":1}')}&count=0`)).messages ?? [];
        }
        // The renderer names a message's room in its header: the direct room is the conversation with the bot.
        const asMessage = (m: RestMessage) => ({ id: m._id, room: bot, text: m.msg, blocks: m.blocks, sender: m.u?.username, createdAt: m.ts });
        const report = messages.find((m) => String(m.msg).startsWith('Deactivation report'));
        if (!report) throw new Error('no report within 5 minutes');
        keep('seats-report', { messages: [asMessage(report)] });
        const progress = messages.filter((m) => String(m.msg).startsWith('Deactivating'));
        keep('seats-progress', { messages: progress.slice(0, 3).map(asMessage) });

        fs.mkdirSync(OUT, { recursive: true });
        execFileSync(process.execPath, [renderer, '--out', path.join(work, 'html'), '--shots', OUT, ...shots], { stdio: 'inherit' });
    } finally {
        await host.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
});
