/// <reference types="jest" />
/**
 * The workspace summary (directory.summary, `/users summary` and the Summary
 * view) through the packaged app in the real engine host: its figures against
 * the workspace's own data, counted here by the seat rule written out plainly.
 */
import { generateDemoWorkspace, prng } from '../../host';
import type { Workspace, WorkspaceUser } from '../../host';
import { eventually, useHost } from './support';

jest.setTimeout(90_000);

const DAY = 24 * 3600 * 1000;
/** Ages of last logins, in days, well inside their buckets: the seconds between building the workspace and asking do not move them. */
const LOGIN_AGES = [0.5, 3, 12, 25, 45, 80, 150, 300, 500, 1200];

/** Users at the edges of the rules, beside the demo workspace's own. */
const EDGE_USERS: WorkspaceUser[] = [
    { _id: 'fed', username: '@fed:matrix.example.org', type: 'user', roles: ['user'], active: true, federated: true, lastLogin: 'dated below' },
    { _id: 'guest-agent', username: 'guest.agent', type: 'user', roles: ['guest', 'livechat-agent'], active: true },
    { _id: 'only-guest', username: 'only.guest', type: 'user', roles: ['guest'], active: true },
    { _id: 'old-app', username: 'old.app', type: 'app', roles: ['app'], active: false },
    { _id: 'quiet-bot', username: 'quiet.bot', type: 'bot', roles: ['bot'], active: true },
    // Last logged in over a year ago.
    { _id: 'auditor', username: 'auditor', type: 'user', roles: ['user', 'auditor'], active: true, authToken: 'auditor-token' },
];

/** A realistic workspace whose every user is in a room (so the directory knows them all), logins dated from now. */
function workspace(): Workspace {
    const demo = generateDemoWorkspace({ users: 400, seed: 15 });
    const random = prng(15);
    const now = Date.now();
    const users = [...demo.users, ...EDGE_USERS.map((user) => ({ ...user }))];
    for (const user of users) {
        if (user.lastLogin !== undefined) {
            user.lastLogin = new Date(now - LOGIN_AGES[Math.floor(random() * LOGIN_AGES.length)] * DAY).toISOString();
        }
    }
    (users.find((user) => user._id === 'auditor') as WorkspaceUser).lastLogin = new Date(now - 500 * DAY).toISOString();
    const general = demo.rooms.find((room) => room._id === 'GENERAL');
    if (!general) throw new Error('The demo workspace has no GENERAL room');
    general.members = users.map((user) => user._id);
    return { ...demo, users };
}

const built = workspace();
const client = useHost(() => built);

/** The app's own user, which the engine creates at install: an active user of type app. */
const APP_USER: WorkspaceUser = { _id: 'app-user', username: 'user-directory.bot', type: 'app', roles: ['app'], active: true };

/** The summary as the seats spec defines it, counted over the workspace's users. */
function expectedSummary(users: WorkspaceUser[], now: number) {
    const onlyGuest = (user: WorkspaceUser) => user.roles?.length === 1 && user.roles[0] === 'guest';
    const active = users.filter((user) => user.active === true);
    const seats = active.filter((user) => user.type !== 'bot' && user.type !== 'app' && user.federated !== true && !onlyGuest(user));
    const lastLogin = { '7d': 0, '30d': 0, '90d': 0, '1y': 0, older: 0, never: 0 };
    for (const user of seats) {
        const days = user.lastLogin ? (now - Date.parse(user.lastLogin)) / DAY : undefined;
        const bucket = days === undefined ? 'never' : days <= 7 ? '7d' : days <= 30 ? '30d' : days <= 90 ? '90d' : days <= 365 ? '1y' : 'older';
        lastLogin[bucket]++;
    }
    const roleCounts = new Map<string, number>();
    active.forEach((user) => new Set(user.roles ?? []).forEach((role) => roleCounts.set(role, (roleCounts.get(role) ?? 0) + 1)));
    return {
        seats: seats.length,
        users: {
            total: users.length,
            active: active.length,
            deactivated: users.length - active.length,
            bots: users.filter((user) => user.type === 'bot').length,
            apps: users.filter((user) => user.type === 'app').length,
            guests: active.filter(onlyGuest).length,
            neverLoggedIn: seats.filter((user) => !user.lastLogin).length,
        },
        lastLogin,
        roles: [...roleCounts]
            .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
            .slice(0, 10)
            .map(([role, count]) => ({ role, users: count })),
        success: true,
    };
}

const LOGIN_REQUIRED = { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' };
const NOT_PERMITTED = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };

describe('GET directory.summary', () => {
    it("equals the workspace's true counts, asOf included", async () => {
        const before = Date.now();
        const { status, body } = await client().get('directory.summary', 'admin');
        expect(status).toBe(200);
        const { asOf, ...figures } = body;
        expect(figures).toEqual(expectedSummary([...built.users, APP_USER], Date.now()));
        // The edge users make every rule count for something.
        expect(figures.users.guests).toBeGreaterThan(0);
        expect(figures.lastLogin.never).toBeGreaterThan(0);
        expect(Object.values(figures.lastLogin as Record<string, number>).reduce((a, b) => a + b)).toBe(figures.seats);
        expect(Date.parse(asOf)).toBeLessThanOrEqual(before);
    });

    it('follows changes: a deactivation and a login move the figures and asOf', async () => {
        const first = (await client().get('directory.summary', 'admin')).body;
        // One of the demo workspace's generated users (the named ones are used by other tests).
        const target = built.users.find((user) => /^u\d/.test(user._id) && user.active === true && user.type === 'user' && user.roles?.includes('user'));
        if (!target) throw new Error('no active user to deactivate');
        // users.update fires the event the directory follows (users.setActiveStatus fires none, as in Rocket.Chat).
        expect((await client().post('/api/v1/users.update', { userId: target._id, data: { active: false } }, 'admin')).status).toBe(200);
        const changed = await eventually(
            async () => (await client().get('directory.summary', 'admin')).body,
            (body) => body.users.deactivated === first.users.deactivated + 1,
            5000,
        );
        expect(changed.seats).toBe(first.seats - 1);
        expect(changed.users.active).toBe(first.users.active - 1);
        expect(Date.parse(changed.asOf)).toBeGreaterThan(Date.parse(first.asOf));

        // The auditor, last seen over a year ago, logs in.
        expect((await client().post('/host/login', { userId: 'auditor' }, 'admin')).status).toBe(200);
        const loggedIn = await eventually(
            async () => (await client().get('directory.summary', 'admin')).body,
            (body) => body.lastLogin['7d'] === changed.lastLogin['7d'] + 1,
            5000,
        );
        expect(loggedIn.lastLogin).toEqual({ ...changed.lastLogin, '7d': changed.lastLogin['7d'] + 1, older: changed.lastLogin.older - 1 });
        expect(loggedIn.seats).toBe(changed.seats);
    });

    it('answers 401 without credentials and the route-permission 403 to callers without view-seats', async () => {
        expect(await client().get('directory.summary')).toEqual({ status: 401, body: LOGIN_REQUIRED });
        expect(await client().get('directory.summary', 'alice')).toEqual({ status: 403, body: NOT_PERMITTED });
        expect(await client().get('directory.summary', 'manager')).toEqual({ status: 403, body: NOT_PERMITTED });
        expect(await client().get('directory.summary', 'auditor')).toEqual({ status: 403, body: NOT_PERMITTED });
    });

    it('is granted to the roles of the permission_view-seats setting, and to admins whatever it says', async () => {
        const setRoles = (value: string) =>
            client().post(`/api/apps/${client().host.appId}/settings`, { settings: [{ id: 'permission_view-seats', value }] }, 'admin');
        try {
            expect((await setRoles('auditor')).status).toBe(200);
            expect((await client().get('directory.summary', 'auditor')).status).toBe(200);
            expect((await client().get('directory.summary', 'admin')).status).toBe(200);
            expect(await client().get('directory.summary', 'alice')).toEqual({ status: 403, body: NOT_PERMITTED });
        } finally {
            await setRoles('admin');
        }
        expect((await client().get('directory.summary', 'auditor')).status).toBe(403);
    });
});

interface View {
    id: string;
    blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ actionId?: string; text?: unknown }> }>;
}
const viewText = (view: View) => view.blocks.map((block) => block.text?.text ?? JSON.stringify(block.elements ?? [])).join('\n');
const actionIds = (view: View) => view.blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []).map((element) => element.actionId) : []));

async function command(params: string, userId: string) {
    const reply = await client().post('/api/v1/commands.run', { command: 'users', params, roomId: 'GENERAL' }, userId);
    expect(reply.status).toBe(200);
    return reply.body as { notifications: Array<{ text: string }>; messages: unknown[]; uiInteractions: Array<{ type: string; view: View }> };
}

async function click(actionId: string, userId: string, value = '', inView?: string) {
    const body = { type: 'blockAction', actionId, value, rid: 'GENERAL', container: inView ? { type: 'view', id: inView } : { type: 'message', id: 'm1' } };
    const reply = await client().post(`/api/apps/ui.interaction/${client().host.appId}`, body, userId);
    expect(reply.status).toBe(200);
    return reply.body as { response: { success: boolean; type?: string; view?: View }; notifications: Array<{ text: string }> };
}

describe('the Summary view in the chat', () => {
    it('/users summary opens it in the contextual bar, with the endpoint’s figures', async () => {
        const { seats, users, lastLogin } = (await client().get('directory.summary', 'admin')).body;
        const reply = await command('summary', 'admin');
        expect(reply.notifications).toEqual([]);
        expect(reply.messages).toEqual([]);
        expect(reply.uiInteractions).toHaveLength(1);
        expect(reply.uiInteractions[0]).toMatchObject({
            type: 'contextual_bar.open',
            view: { id: 'user-directory-summary', title: { text: 'Workspace summary' } },
        });
        const text = viewText(reply.uiInteractions[0].view);
        const n = (value: number) => value.toLocaleString('en');
        expect(text).toContain(`*${n(seats)} seats in use*`);
        expect(text).toContain(`*${n(users.total)}* users · ${n(users.active)} active · ${n(users.deactivated)} deactivated`);
        expect(text).toContain(`Never · ${n(lastLogin.never)} (`);
        expect(text).toContain('As far as the directory knows');
        expect(actionIds(reply.uiInteractions[0].view)).toEqual(['directory.summary.refresh', 'directory.open']);
    });

    it('refuses a caller without view-seats with a clear message, everywhere, and shows them no button', async () => {
        const reply = await command('summary', 'alice');
        expect(reply.uiInteractions).toEqual([]);
        expect(reply.notifications.map((notification) => notification.text)).toEqual([
            'You are not allowed to see the workspace summary: it needs the admin role or a role listed in the app setting *Roles with view-seats*.',
        ]);
        const clicked = await click('directory.summary.open', 'alice');
        expect(clicked.response.view).toBeUndefined();
        expect(clicked.response.success).toBe(false);
        expect(clicked.notifications.map((notification) => notification.text)).toEqual(reply.notifications.map((notification) => notification.text));

        const bar = await click('directory.open', 'alice', JSON.stringify({ list: 'users' }));
        expect(bar.response.view?.id).toBe('user-directory');
        expect(actionIds(bar.response.view as View)).not.toContain('directory.summary.open');
    });

    it('/users help names it to those who may see it, and only to them', async () => {
        expect((await command('help', 'admin')).notifications[0].text).toContain('`/users summary` — seats, last logins and the largest roles');
        expect((await command('help', 'alice')).notifications[0].text).not.toContain('summary');
    });

    it('is reachable from the directory’s bar, refreshes in place and leads back', async () => {
        const bar = await click('directory.open', 'admin', JSON.stringify({ list: 'users' }));
        expect(actionIds(bar.response.view as View)).toContain('directory.summary.open');

        const opened = await click('directory.summary.open', 'admin', 'open', 'user-directory');
        expect(opened.response).toMatchObject({ success: true, type: 'contextual_bar.open', view: { id: 'user-directory-summary' } });
        const refreshed = await click('directory.summary.refresh', 'admin', 'refresh', 'user-directory-summary');
        expect(refreshed.response).toMatchObject({ success: true, type: 'contextual_bar.update', view: { id: 'user-directory-summary' } });

        const back = await click('directory.open', 'admin', JSON.stringify({ list: 'users' }), 'user-directory-summary');
        expect(back.response).toMatchObject({ type: 'contextual_bar.open', view: { id: 'user-directory' } });
    });
});
