/// <reference types="jest" />
/**
 * /users in the chat: the slash command, its buttons, the contextual bar and
 * the CSV export, through the real engine host.
 */
import type { Workspace } from '../../host';
import { smallWorkspace } from './fixtures';
import { useHost } from './support';

jest.setTimeout(60_000);

/** The small workspace, plus a user with accents in the name, an old login and a custom field. */
function workspace(): Workspace {
    const base = smallWorkspace();
    base.users.push({
        _id: 'jerome',
        username: 'jerome.dupre',
        name: 'Jérôme Dupré',
        emails: [{ address: 'jd@corp.example', verified: true }],
        type: 'user',
        roles: ['user'],
        active: true,
        status: 'busy',
        lastLogin: '2020-03-01T08:00:00.000Z',
        customFields: { team: 'Finance' },
        authToken: 'jerome-token',
    });
    base.rooms[0].members.push('jerome');
    return base;
}

const client = useHost(workspace);

interface Block {
    type: string;
    blockId?: string;
    text?: { text: string };
    label?: { text: string };
    element?: Element;
    elements?: Element[];
    accessory?: Element;
}
interface Element {
    type: string;
    actionId: string;
    value?: string;
    url?: string;
    altText?: string;
    text?: string | { text: string };
    initialValue?: string | string[];
    options?: Array<{ value: string; text: { text: string } }>;
}
interface Notification {
    text: string;
    blocks?: Block[];
}

async function run(params: string, userId: string) {
    const reply = await client().post('/api/v1/commands.run', { command: 'users', params, roomId: 'GENERAL' }, userId);
    expect(reply.status).toBe(200);
    return reply.body as { notifications: Notification[]; messages: unknown[]; uploads: Array<{ name: string; room: string; content: string }> };
}

/** The one ephemeral reply a command produces. */
async function reply(params: string, userId: string): Promise<Notification> {
    const { notifications, messages } = await run(params, userId);
    expect(messages).toEqual([]); // nothing visible to the room
    expect(notifications).toHaveLength(1);
    return notifications[0];
}

const elements = (blocks: Block[] = []) =>
    blocks.flatMap((block) => [...(block.elements ?? []), ...(block.element ? [block.element] : []), ...(block.accessory ? [block.accessory] : [])]);
const buttons = (blocks: Block[] = []) => elements(blocks.filter((block) => block.type === 'actions'));
const button = (blocks: Block[] | undefined, actionId: string, index = 0) => buttons(blocks).filter((element) => element.actionId === actionId)[index];
/** The usernames listed: each row has the user's avatar, whose alternative text is the username. */
const listed = (blocks: Block[] = []) =>
    elements(blocks.filter((block) => block.type === 'context')).flatMap((element) => (element.type === 'image' ? [element.altText] : []));
const texts = (blocks: Block[] = []) =>
    blocks
        .flatMap((block) => [
            block.text?.text ?? '',
            ...(block.type === 'context' ? (block.elements ?? []).map((element) => (typeof element.text === 'string' ? element.text : '')) : []),
        ])
        .join('\n');

async function click(actionId: string, value: unknown, userId: string, container: { type: 'message' | 'view'; id: string } = { type: 'message', id: 'm1' }) {
    const response = await client().post(
        `/api/apps/ui.interaction/${client().host.appId}`,
        { type: 'blockAction', actionId, blockId: 'b', value, rid: 'GENERAL', container },
        userId,
    );
    expect(response.status).toBe(200);
    return response.body as {
        response: { type: string; view: { id: string; blocks: Block[] } };
        notifications: Notification[];
        messages: unknown[];
        uploads: unknown[];
    };
}
const inView = { type: 'view' as const, id: 'user-directory' };

describe('/users', () => {
    it('explains itself with /users help; admins also see their filters and the custom fields', async () => {
        const help = await reply('help', 'alice');
        expect(help.text).toContain('`/users role:admin,bot`');
        expect(help.text).toContain('export:csv');
        expect(help.text).not.toContain('inactive');
        const admin = await reply('help', 'admin');
        expect(admin.text).toContain('`inactive:90d`');
        expect(admin.text).toContain('`clearance`, `team`');
        expect(button(admin.blocks, 'directory.open')).toBeDefined();
    });

    it('lists the first page: avatar, presence, name and username per user, the count, and the buttons', async () => {
        const page = await reply('', 'alice');
        // As people read names: case and accents aside ("zed upper" comes on the next page).
        expect(listed(page.blocks)).toEqual(['admin', 'agent1', 'agent2', 'alice', 'bob', 'ciel', 'dialog.bot', 'guest', 'jerome.dupre', 'manager']);
        const rows = page.blocks?.filter((block) => block.type === 'context' && block.elements?.[0].type === 'image') ?? [];
        expect(rows[0].elements?.[0].altText).toBe('admin');
        expect((rows[0].elements?.[0] as unknown as { imageUrl: string }).imageUrl).toBe(`${client().host.url}/avatar/admin`);
        expect(rows[0].elements?.[1].text).toBe(`🟢 *Ada Admin* [@admin](${client().host.url}/direct/admin) · admin`);
        expect(rows[4].elements?.[1].text).toBe(`⚫ *Bob B.* [@bob](${client().host.url}/direct/bob) · deactivated`);
        expect(texts(page.blocks)).toContain('1–10 of 13 users · page 1 of 2');
        expect(buttons(page.blocks).map((element) => element.actionId)).toEqual(['directory.page', 'directory.open', 'directory.export']);
    });

    it('filters by search words, role, status, type and login, like users.listByStatus', async () => {
        expect(listed((await reply('ali', 'alice')).blocks)).toEqual(['alice']);
        expect(listed((await reply('role:admin status:active', 'alice')).blocks)).toEqual(['admin']);
        expect(listed((await reply('status:deactivated', 'alice')).blocks)).toEqual(['bob']);
        expect(listed((await reply('type:bot', 'alice')).blocks)).toEqual(['dialog.bot']);
        expect(listed((await reply('loggedin:no role:livechat-agent', 'alice')).blocks)).toEqual(['agent2', 'dialog.bot']);
        const byLogin = await reply('sort:-lastLogin role:user', 'alice');
        expect(listed(byLogin.blocks).slice(0, 3)).toEqual(['agent1', 'manager', 'Zed']);
        // Sorted by last login, each row says it.
        expect(texts(byLogin.blocks)).toContain(`🟢 *Agent 1* [@agent1](${client().host.url}/direct/agent1) · livechat-agent · last login 6 Apr 2024`);
    });

    it('finds people whatever the accents and case of the search', async () => {
        expect(listed((await reply('jerome', 'alice')).blocks)).toEqual(['jerome.dupre']);
        expect(listed((await reply('DUPRE jérôme', 'alice')).blocks)).toEqual(['jerome.dupre']);
        expect(listed((await reply('agents AGENT', 'manager')).blocks)).toEqual(['agent1', 'agent2']);
    });

    it('shows and searches emails only for callers allowed to see them', async () => {
        expect(texts((await reply('example.org', 'admin')).blocks)).toContain('bob@example.org');
        expect(listed((await reply('example.org', 'admin')).blocks)).toEqual(['bob']);
        expect(listed((await reply('example.org', 'alice')).blocks)).toEqual([]);
        expect(JSON.stringify(await reply('alice', 'alice'))).not.toContain('@example.com');
    });

    it('lists agents and managers with the livechat permissions', async () => {
        expect(listed((await reply('agents', 'manager')).blocks)).toEqual(['agent1', 'agent2', 'dialog.bot']);
        expect(listed((await reply('agents status:active type:bot', 'manager')).blocks)).toEqual(['dialog.bot']);
        expect(listed((await reply('managers mona', 'admin')).blocks)).toEqual(['manager']);
        expect((await reply('managers', 'alice')).text).toBe('You are not allowed to list these users.');
    });

    it('tells a caller without the permission that they may not, not how to type the command', async () => {
        // No role: no view-d-room, so the core refuses users.listByStatus itself (a 403 in the API).
        expect((await reply('', 'norole')).text).toBe('You are not allowed to list these users.');
        expect((await reply('role:admin page:2', 'norole')).text).toBe('You are not allowed to list these users.');
        const refused = await click('directory.open', JSON.stringify({ list: 'users' }), 'norole');
        expect(refused.notifications.map((notification) => notification.text)).toEqual(['You are not allowed to list these users.']);
    });

    it('gives admins inactive: and custom-field filters, and nobody else', async () => {
        // Ciel logs in now: of the users, she alone is not inactive for 30 days (the others logged in long ago, or never).
        expect((await client().post('/host/login', { userId: 'ciel' }, 'admin')).status).toBe(200);
        expect(listed((await reply('inactive:30d role:user', 'admin')).blocks)).toEqual([
            'admin',
            'agent1',
            'agent2',
            'alice',
            'bob',
            'jerome.dupre',
            'manager',
            'Zed',
        ]);
        const url = client().host.url;
        expect(texts((await reply('inactive:30d jerome', 'admin')).blocks)).toContain(
            `🔴 *Jérôme Dupré* [@jerome.dupre](${url}/direct/jerome.dupre) · last login 1 Mar 2020`,
        );
        expect(texts((await reply('inactive:30d agent2', 'admin')).blocks)).toContain(
            `⚫ *Agent 2* [@agent2](${url}/direct/agent2) · livechat-agent · never logged in`,
        );
        expect(listed((await reply('team:finance', 'admin')).blocks)).toEqual(['jerome.dupre']);
        expect(listed((await reply('clearance:HIGH', 'admin')).blocks)).toEqual(['ciel']);

        expect((await reply('inactive:90d', 'alice')).text).toBe(
            "`inactive:` is for those who may see users' full information.\nType `/users help` for the filters.",
        );
        // A member learns no custom field names: a real one reads like any unknown filter.
        expect((await reply('team:Finance', 'alice')).text).toBe((await reply('colour:red', 'alice')).text.replace('colour', 'team'));
        expect((await reply('colour:red', 'admin')).text).toBe('There is no `colour:` filter.\nType `/users help` for the filters.');
    });

    it('answers a bad filter with a short usage hint, not an error', async () => {
        expect((await reply('status:all', 'alice')).text).toBe(
            '`status:all` is not an account status: use `status:active` or `status:deactivated`.\nType `/users help` for the filters.',
        );
        expect((await reply('page:0', 'alice')).text).toContain('`page:0` is not a page number');
        expect((await reply('inactive:soon', 'admin')).text).toContain('`inactive:soon`: give days, for example `inactive:90d`');
        expect((await reply('agents sort:lastLogin', 'manager')).text).toContain('Cannot sort by `lastLogin`');
    });

    it('says plainly when no one matches, and when a page is past the end', async () => {
        const empty = await reply('zzzz', 'alice');
        expect(texts(empty.blocks)).toContain('No one matches.');
        expect(texts(empty.blocks)).toContain('Try fewer or shorter words, or fewer filters; `/users help` lists them all.');
        expect(buttons(empty.blocks).map((element) => element.actionId)).toEqual(['directory.open']);

        const far = await reply('page:200', 'alice');
        expect(texts(far.blocks)).toContain('There is no page 200; this is the last one.');
        expect(texts(far.blocks)).toContain('11–13 of 13 users · page 2 of 2');
        expect(listed(far.blocks)).toEqual(['norole', 'user-directory.bot', 'Zed']);
        // The text a client without blocks shows says it too.
        expect(far.text).toContain('There is no page 200; this is the last one.');
    });
});

describe('paging', () => {
    it('opens the contextual bar from the message and pages in place there: the room gets no new message', async () => {
        const first = await reply('', 'alice');
        const next = await click('directory.page', button(first.blocks, 'directory.page').value, 'alice');
        expect(next.notifications).toEqual([]);
        expect(next.messages).toEqual([]);
        expect(next.response.type).toBe('contextual_bar.open');
        expect(listed(next.response.view.blocks)).toEqual(['norole', 'user-directory.bot', 'Zed']);
        expect(texts(next.response.view.blocks)).toContain('11–13 of 13 users · page 2 of 2');

        const back = await click('directory.page', button(next.response.view.blocks, 'directory.page').value, 'alice', inView);
        expect(back.notifications).toEqual([]);
        expect(back.response.type).toBe('contextual_bar.update');
        expect(listed(back.response.view.blocks)).toEqual(listed(first.blocks));
    });
});

describe('the directory in the contextual bar', () => {
    it('has labelled filters, the same layout for every list, and updates in place as they change', async () => {
        const first = await reply('role:user', 'alice');
        const opened = await click('directory.open', button(first.blocks, 'directory.open').value, 'alice');
        expect(opened.response).toMatchObject({ success: true, type: 'contextual_bar.open', view: { id: 'user-directory' } });
        const view = opened.response.view;
        expect(listed(view.blocks)).toContain('alice');
        const shown = (blocks: Block[], actionId: string) => {
            const select = elements(blocks).find((element) => element.actionId === actionId);
            return select?.options?.find((option) => option.value === select.initialValue)?.text.text;
        };
        expect(['directory.list', 'directory.sort', 'directory.status', 'directory.type'].map((id) => shown(view.blocks, id))).toEqual([
            'List: Users',
            'Sort: name',
            'Account: any',
            'Type: any',
        ]);
        expect(view.blocks.filter((block) => block.label).map((block) => block.label?.text)).toEqual(['Search', 'Roles']);
        // The roles are the workspace's own, several at once; members get no admin filters.
        const roles = elements(view.blocks).find((element) => element.actionId === 'directory.roles');
        expect(roles?.options?.map((option) => option.value)).toEqual(['admin', 'app', 'bot', 'guest', 'livechat-agent', 'livechat-manager', 'user']);
        expect(roles?.initialValue).toEqual(['user']);
        expect(elements(view.blocks).some((element) => element.actionId === 'directory.inactive')).toBe(false);
        // One line per user, the username a link to message them.
        expect(texts(view.blocks)).toContain(`[@alice](${client().host.url}/direct/alice)`);

        const deactivated = await click('directory.status', 'deactivated', 'alice', inView);
        expect(deactivated.response.type).toBe('contextual_bar.update');
        expect(listed(deactivated.response.view.blocks)).toEqual(['bob']);

        const severalRoles = await click('directory.roles', ['admin', 'guest'], 'alice', inView);
        expect(listed(severalRoles.response.view.blocks)).toEqual([]);
        const active = await click('directory.status', 'any', 'alice', inView);
        expect(listed(active.response.view.blocks)).toEqual(['admin', 'guest']);

        // The search box keeps the other filters, and ignores accents.
        const searched = await click('directory.search', 'gus', 'alice', inView);
        expect(listed(searched.response.view.blocks)).toEqual(['guest']);
        await click('directory.search', '', 'alice', inView);

        // Alice may not list agents: she is told so, and the bar stays as it was.
        const refused = await click('directory.list', 'agents', 'alice', inView);
        expect(refused.notifications.map((notification) => notification.text)).toEqual(['You are not allowed to list these users.']);
        expect(refused.response.type).not.toBe('contextual_bar.update');
    });

    it('keeps its layout when the list changes', async () => {
        const layout = (blocks: Block[]) => blocks.slice(0, 5).map((block) => `${block.type}:${block.blockId}`);
        const users = await click('directory.open', JSON.stringify({ list: 'users', status: 'active' }), 'manager');
        const agents = await click('directory.list', 'agents', 'manager', inView);
        expect(layout(agents.response.view.blocks)).toEqual(layout(users.response.view.blocks));
        expect(listed(agents.response.view.blocks)).toEqual(['agent1', 'agent2', 'dialog.bot']); // active agents: the account filter stays
    });

    it('gives admins the last-login and custom-field filters', async () => {
        await click('directory.open', JSON.stringify({ list: 'users' }), 'admin');
        const team = await click('directory.field.team', 'Finance', 'admin', inView);
        expect(listed(team.response.view.blocks)).toEqual(['jerome.dupre']);
        await click('directory.field.team', 'any', 'admin', inView);
        const inactive = await click('directory.inactive', '30', 'admin', inView);
        expect(listed(inactive.response.view.blocks)).toContain('jerome.dupre');
        expect(listed(inactive.response.view.blocks)).not.toContain('ciel'); // logged in by an earlier test
    });
});

describe('CSV export', () => {
    it('sends the whole filtered list to the caller in a direct message, with the columns the caller may see, and says where', async () => {
        const admin = await run('role:user export:csv', 'admin');
        expect(admin.uploads).toHaveLength(1);
        const [upload] = admin.uploads;
        expect(upload.room).not.toBe('GENERAL');
        const lines = upload.content.trim().split('\r\n');
        expect(lines[0]).toBe('_id,username,name,emails,roles,status,active,type,lastLogin');
        expect(lines).toHaveLength(1 + 9); // the header, and every user with the role user
        expect(lines).toContain('alice,alice,Alice A.,alice@example.com,user,online,true,user,2024-04-02T17:47:50.485Z');
        expect(admin.notifications[0].text).toMatch(
            new RegExp(
                `^Sent 9 users as \`users-\\d{12}\\.csv\` to your \\[direct messages with user-directory\\.bot\\]\\(${client().host.url}/direct/user-directory\\.bot\\)\\.$`,
            ),
        );

        const alice = await run('role:user export:csv', 'alice');
        const aliceLines = alice.uploads[0].content.trim().split('\r\n');
        expect(aliceLines[0]).toBe('_id,username,name,roles,status,active,type,lastLogin');
        expect(alice.uploads[0].content).not.toContain('@example');
    });

    it('exports with the admin filters too, counts in the singular, and refuses an empty export', async () => {
        const one = await run('team:Finance export:csv', 'admin');
        expect(one.uploads[0].content.trim().split('\r\n').slice(1)).toEqual([
            'jerome,jerome.dupre,Jérôme Dupré,jd@corp.example,user,busy,true,user,2020-03-01T08:00:00.000Z',
        ]);
        expect(one.notifications[0].text).toMatch(/^Sent 1 user as /);

        const none = await run('zzzz export:csv', 'admin');
        expect(none.uploads).toEqual([]);
        expect(none.notifications[0].text).toBe('Nothing to export: no one matches.');
    });

    it('exports from the button too', async () => {
        const page = await reply('agents', 'manager');
        const exported = await click('directory.export', button(page.blocks, 'directory.export').value, 'manager');
        expect(exported.uploads).toHaveLength(1);
        expect((exported.uploads[0] as { content: string }).content.split('\r\n')[0]).toBe('_id,username,name,status');
    });
});
