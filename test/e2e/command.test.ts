/// <reference types="jest" />
/**
 * /users in the chat: the slash command, its buttons, the contextual bar and
 * the CSV export, through the real engine host.
 */
import { smallWorkspace } from './fixtures';
import { useHost } from './support';

jest.setTimeout(60_000);

const client = useHost(smallWorkspace);

interface Notification {
    text: string;
    blocks?: Array<{ type: string; elements?: Array<{ actionId: string; value?: string }> }>;
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

const buttons = (notification: Notification) => notification.blocks?.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []) ?? [];
const button = (notification: Notification, actionId: string, index = 0) => buttons(notification).filter((element) => element.actionId === actionId)[index];
const listed = (text: string) => [...text.matchAll(/\*@([^*]+)\*/g)].map((match) => match[1].replace(/\\/g, ''));

async function click(actionId: string, value: string | undefined, userId: string, container: { type: 'message' | 'view'; id: string } = { type: 'message', id: 'm1' }) {
    const response = await client().post(`/api/apps/ui.interaction/${client().host.appId}`, { type: 'blockAction', actionId, blockId: 'b', value, rid: 'GENERAL', container }, userId);
    expect(response.status).toBe(200);
    return response.body;
}

describe('/users', () => {
    it('explains itself with /users help', async () => {
        const help = await reply('help', 'alice');
        expect(help.text).toContain('/users role:admin status:active');
        expect(help.text).toContain('export:csv');
    });

    it('lists the first page with the total and the buttons', async () => {
        const page = await reply('', 'alice');
        expect(listed(page.text)).toEqual(['Zed', 'admin', 'agent1', 'agent2', 'alice', 'bob', 'ciel', 'dialog.bot', 'guest', 'manager']);
        expect(page.text).toContain('1–10 of 12');
        expect(buttons(page).map((element) => element.actionId)).toEqual(['directory.page', 'directory.open', 'directory.export']);
    });

    it('filters by search words, role, status, type and login, like users.listByStatus', async () => {
        expect(listed((await reply('ali', 'alice')).text)).toEqual(['alice']);
        expect(listed((await reply('role:admin status:active', 'alice')).text)).toEqual(['admin']);
        expect(listed((await reply('status:deactivated', 'alice')).text)).toEqual(['bob']);
        expect(listed((await reply('type:bot', 'alice')).text)).toEqual(['dialog.bot']);
        expect(listed((await reply('loggedin:no role:livechat-agent', 'alice')).text)).toEqual(['agent2', 'dialog.bot']);
        expect(listed((await reply('sort:-lastLogin role:user', 'alice')).text).slice(0, 3)).toEqual(['agent1', 'manager', 'Zed']);
    });

    it('shows emails only to callers allowed to see them', async () => {
        expect((await reply('alice', 'admin')).text).toContain('alice@example.com');
        expect((await reply('alice', 'alice')).text).not.toContain('alice@example.com');
        // Nor can an ordinary caller find users by email.
        expect(listed((await reply('example.org', 'alice')).text)).toEqual([]);
        expect(listed((await reply('example.org', 'admin')).text)).toEqual(['bob']);
    });

    it('lists agents and managers with the livechat permissions', async () => {
        expect(listed((await reply('agents', 'manager')).text)).toEqual(['agent1', 'agent2', 'dialog.bot']);
        expect(listed((await reply('managers mona', 'admin')).text)).toEqual(['manager']);
        expect((await reply('managers', 'alice')).text).toBe('You are not allowed to list these users.');
    });

    it('answers a bad filter with a short usage hint, not an error', async () => {
        expect((await reply('colour:red', 'alice')).text).toBe('There is no `colour:` filter.\nType `/users help` for the filters.');
        expect((await reply('status:all', 'alice')).text).toContain('`status:all` is not a status');
        expect((await reply('page:0', 'alice')).text).toContain('`page:0` is not a page number');
        expect((await reply('agents role:admin', 'manager')).text).toContain('does not apply to agents');
    });
});

describe('paging buttons', () => {
    it('go forward and back', async () => {
        const first = await reply('', 'alice');
        const next = await click('directory.page', button(first, 'directory.page').value, 'alice');
        expect(next.notifications).toHaveLength(1);
        const second = next.notifications[0] as Notification;
        expect(listed(second.text)).toEqual(['norole', 'user-directory.bot']);
        expect(second.text).toContain('11–12 of 12');
        const back = await click('directory.page', button(second, 'directory.page').value, 'alice');
        expect(listed((back.notifications[0] as Notification).text)).toEqual(listed(first.text));
    });
});

describe('the directory in the contextual bar', () => {
    it('opens from the button and updates in place as filters change', async () => {
        const first = await reply('role:user', 'alice');
        const opened = await click('directory.open', button(first, 'directory.open').value, 'alice');
        expect(opened.response).toMatchObject({ success: true, type: 'contextual_bar.open', view: { id: 'user-directory' } });
        const viewText = (view: { blocks: Array<{ text?: { text: string } }> }) => view.blocks.map((block) => block.text?.text ?? '').join('\n');
        expect(listed(viewText(opened.response.view))).toContain('alice');

        const container = { type: 'view' as const, id: 'user-directory' };
        const deactivated = await click('directory.status', 'deactivated', 'alice', container);
        expect(deactivated.response).toMatchObject({ type: 'contextual_bar.update' });
        expect(listed(viewText(deactivated.response.view))).toEqual(['bob']);

        // The search box keeps the other filters.
        const searched = await click('directory.search', 'zzz', 'alice', container);
        expect(listed(viewText(searched.response.view))).toEqual([]);
        const cleared = await click('directory.search', '', 'alice', container);
        expect(listed(viewText(cleared.response.view))).toEqual(['bob']);
    });
});

describe('CSV export', () => {
    it('sends the whole filtered list to the caller in a direct message, with the columns the caller may see', async () => {
        const admin = await run('role:user export:csv', 'admin');
        expect(admin.uploads).toHaveLength(1);
        const [upload] = admin.uploads;
        expect(upload.room).not.toBe('GENERAL');
        const lines = upload.content.trim().split('\r\n');
        expect(lines[0]).toBe('_id,username,name,emails,roles,status,active,type,lastLogin');
        expect(lines).toHaveLength(1 + 8); // the header, and every user with the role user
        expect(lines).toContain('alice,alice,Alice A.,alice@example.com,user,online,true,user,2024-04-02T17:47:50.485Z');
        expect(admin.notifications[0].text).toContain('Sent 8 rows');

        const alice = await run('role:user export:csv', 'alice');
        const aliceLines = alice.uploads[0].content.trim().split('\r\n');
        expect(aliceLines[0]).toBe('_id,username,name,roles,status,active,type,lastLogin');
        expect(alice.uploads[0].content).not.toContain('@example');
    });

    it('exports from the button too', async () => {
        const page = await reply('agents', 'manager');
        const exported = await click('directory.export', button(page, 'directory.export').value, 'manager');
        expect(exported.uploads).toHaveLength(1);
        expect(exported.uploads[0].content.split('\r\n')[0]).toBe('_id,username,name,status');
    });
});
