/**
 * `npm run screenshots`: every screen of /users, drawn by Rocket.Chat's own
 * UIKit renderer, as PNGs in docs/screenshots/ (the README shows some).
 *
 * Packages the app, runs it in the local workspace (the demo workspace), sends
 * each command and interaction as a client would, and hands the replies to
 * the renderer (`uikit-render`, found at ../shared/tools/uikit-render or
 * $UIKIT_RENDER; it needs Chromium). Avatars are drawn as Rocket.Chat draws a
 * user without a picture (initials on a colour), since the local workspace
 * serves no images.
 *
 *   npm run screenshots                  all screens
 *   npm run screenshots -- admin-help    only those whose name contains a word
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { generateDemoWorkspace, startHost } from '../host';
import { emptyQuery, encodeQuery } from '../src/command/parse';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
/** The app's bot user, as Rocket.Chat names it. */
const BOT = `${(JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { nameSlug: string }).nameSlug}.bot`;

type Step = { kind: 'command'; params: string } | { kind: 'click'; actionId: string; value?: unknown; inView?: boolean };

interface Screen {
    name: string;
    user: string;
    steps: Step[];
    /** Open this select of the view in the picture. */
    open?: string;
}

const command = (params: string): Step => ({ kind: 'command', params });
const open = (query: Partial<ReturnType<typeof emptyQuery>> = {}): Step => ({
    kind: 'click',
    actionId: 'directory.open',
    value: encodeQuery({ ...emptyQuery(), ...query }),
});
const change = (actionId: string, value: unknown): Step => ({ kind: 'click', actionId, value, inView: true });

const SCREENS: Screen[] = [
    { name: 'admin-plain', user: 'admin', steps: [command('')] },
    { name: 'admin-filters', user: 'admin', steps: [command('role:admin status:active')] },
    { name: 'admin-search-accents', user: 'admin', steps: [command('jerome')] },
    { name: 'admin-search-email', user: 'admin', steps: [command('corp.example')] },
    { name: 'admin-inactive', user: 'admin', steps: [command('inactive:90d sort:-lastLogin')] },
    { name: 'admin-custom-field', user: 'admin', steps: [command('team:Finance role:admin')] },
    { name: 'admin-agents', user: 'admin', steps: [command('agents')] },
    { name: 'admin-help', user: 'admin', steps: [command('help')] },
    { name: 'admin-empty', user: 'admin', steps: [command('zzzz')] },
    { name: 'admin-far-page', user: 'admin', steps: [command('page:200')] },
    { name: 'admin-error', user: 'admin', steps: [command('status:maybe')] },
    { name: 'admin-export', user: 'admin', steps: [command('role:admin export:csv')] },
    { name: 'admin-export-empty', user: 'admin', steps: [command('zzzz export:csv')] },
    {
        name: 'admin-next-page-opens-bar',
        user: 'admin',
        steps: [{ kind: 'click', actionId: 'directory.page', value: encodeQuery({ ...emptyQuery(), page: 2 }) }],
    },
    { name: 'bar-admin', user: 'admin', steps: [open()] },
    { name: 'bar-admin-roles', user: 'admin', steps: [open(), change('directory.roles', ['admin', 'livechat-agent'])] },
    { name: 'bar-admin-agents', user: 'admin', steps: [open(), change('directory.list', 'agents')] },
    { name: 'bar-admin-managers', user: 'admin', steps: [open(), change('directory.list', 'managers')] },
    { name: 'bar-admin-inactive', user: 'admin', steps: [open(), change('directory.inactive', '365')] },
    { name: 'bar-admin-team', user: 'admin', steps: [open(), change('directory.field.team', 'Finance'), change('directory.status', 'deactivated')] },
    { name: 'bar-admin-search', user: 'admin', steps: [open(), change('directory.search', 'soren')] },
    { name: 'bar-admin-empty', user: 'admin', steps: [open(), change('directory.search', 'zzzz')] },
    { name: 'bar-admin-sort', user: 'admin', steps: [open()], open: 'directory.sort' },
    { name: 'bar-admin-list', user: 'admin', steps: [open()], open: 'directory.list' },
    { name: 'member-plain', user: 'alice', steps: [command('')] },
    { name: 'member-help', user: 'alice', steps: [command('help')] },
    { name: 'member-admin-only', user: 'alice', steps: [command('inactive:90d')] },
    { name: 'member-custom-field', user: 'alice', steps: [command('team:Finance')] },
    { name: 'member-managers', user: 'alice', steps: [command('managers')] },
    { name: 'bar-member', user: 'alice', steps: [open()] },
    { name: 'bar-member-agents', user: 'alice', steps: [open(), change('directory.list', 'agents')] },
    { name: 'bar-admin-summary', user: 'admin', steps: [command('summary')] },
    { name: 'member-summary-refused', user: 'alice', steps: [command('summary')] },
];

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

const COLOURS = ['#F5455C', '#158D65', '#095AD2', '#7F1B9F', '#F38C39', '#10529E', '#9EA2A8', '#E26D0E'];

/** Rocket.Chat's picture for a user without one: initials on a colour chosen by the username. */
function initialsAvatar(username: string): string {
    const initials = username.replace(/^@/, '').slice(0, 2).toUpperCase();
    const colour = COLOURS[[...username].reduce((sum, char) => sum + char.charCodeAt(0), 0) % COLOURS.length];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="${colour}"/><text x="50%" y="50%" dy="0.36em" text-anchor="middle" font-family="Inter, sans-serif" font-size="28" fill="#fff">${initials.replace(/[<&>]/g, '')}</text></svg>`;
    return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

async function main(): Promise<void> {
    const only = process.argv.slice(2);
    const renderer = findRenderer();
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.js'), '--quick'], { stdio: 'inherit' });
    const zip = fs.readdirSync(path.join(ROOT, 'dist')).find((file) => file.endsWith('.zip'));
    if (!zip) throw new Error('no zip in dist/');

    const host = await startHost({ zipPath: path.join(ROOT, 'dist', zip), workspace: generateDemoWorkspace(), port: 0, log: () => undefined });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'screenshots-'));
    try {
        await host.ready;
        const post = async (urlPath: string, body: unknown, user: string) => {
            const response = await fetch(`${host.url}${urlPath}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'X-User-Id': user, 'X-Auth-Token': `${user}-token` },
                body: JSON.stringify(body),
            });
            return (await response.json()) as Record<string, unknown>;
        };
        const avatars = new RegExp(`${host.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/avatar/([^"]+)`, 'g');
        const files: Array<{ file: string; open?: string }> = [];
        for (const screen of SCREENS.filter((s) => only.length === 0 || only.some((word) => s.name.includes(word)))) {
            let reply: Record<string, unknown> = {};
            for (const step of screen.steps) {
                reply =
                    step.kind === 'command'
                        ? await post('/api/v1/commands.run', { command: 'users', params: step.params, roomId: 'GENERAL' }, screen.user)
                        : await post(
                              `/api/apps/ui.interaction/${host.appId}`,
                              {
                                  type: 'blockAction',
                                  actionId: step.actionId,
                                  value: step.value,
                                  rid: 'GENERAL',
                                  container: step.inView ? { type: 'view', id: 'user-directory' } : { type: 'message', id: 'm1' },
                              },
                              screen.user,
                          );
            }
            // An upload names its room by id; a person knows it as the direct messages with the app's bot.
            for (const upload of (reply.uploads ?? []) as Array<{ room?: string }>) upload.room = `@${screen.user} ⇄ @${BOT}`;
            const json = JSON.stringify(reply).replace(avatars, (_match, username: string) => initialsAvatar(decodeURIComponent(username)));
            const file = path.join(work, `${screen.name}.json`);
            fs.writeFileSync(file, json);
            files.push({ file, open: screen.open });
        }
        fs.mkdirSync(OUT, { recursive: true });
        const html = path.join(work, 'html');
        const plain = files.filter((entry) => !entry.open).map((entry) => entry.file);
        if (plain.length > 0) execFileSync(process.execPath, [renderer, '--out', html, '--shots', OUT, ...plain], { stdio: 'inherit' });
        for (const entry of files.filter((e) => e.open)) {
            execFileSync(process.execPath, [renderer, '--out', html, '--shots', OUT, '--open', entry.open as string, entry.file], { stdio: 'inherit' });
        }
    } finally {
        await host.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
});
