/// <reference types="jest" />
/**
 * Deactivation of inactive users through the real engine host: off until
 * turned on, admins only, bad input refused, a preview that changes nothing,
 * and a run that deactivates exactly the previewed users, sends the undo list
 * first, and skips and reports the exempt and the refused.
 */
import { toCsv } from '../../src/command/csv';
import { UNDO_COLUMNS } from '../../src/core/seats/outcome';
import { blockText, buttonOf, FATE, Produced, SeatsClient, seatsWorkspace } from './seats';
import { useHost } from './support';

jest.setTimeout(90_000);

const host = useHost(seatsWorkspace);
const seats = () => new SeatsClient(host());
const ALREADY_DEACTIVATED = ['gone.already'];

describe('deactivation of inactive users', () => {
    it('is off until an admin turns it on: every way in says how, and nothing changes', async () => {
        const reply = await seats().reply('deactivate inactive:90d', 'admin');
        expect(reply.text).toContain('Deactivation is turned off');
        expect(reply.text).toContain('`deactivation_enabled`');
        const bar = await seats().interact({ type: 'blockAction', actionId: 'seats.review', value: '90', rid: 'GENERAL' }, 'admin');
        expect(blockText(bar.response?.view?.blocks)).toContain('Deactivation is turned off');
        const submit = await seats().interact({ type: 'viewSubmit', view: { id: 'user-directory-seats-confirm-x', blocks: [] } }, 'admin');
        expect(blockText(submit.response?.view?.blocks)).toContain('Deactivation is turned off');
        expect(await seats().deactivated()).toEqual(ALREADY_DEACTIVATED);
    });

    it('is for admins only, everywhere, with a clear message', async () => {
        await seats().settings({ deactivation_enabled: true, deactivation_exempt_roles: 'auditor', deactivation_audit_room: 'audit' });
        expect((await seats().reply('deactivate inactive:90d', 'alice')).text).toBe(
            'Only workspace admins can review and deactivate users. Nothing was changed.',
        );
        const bar = await seats().interact({ type: 'blockAction', actionId: 'seats.review', value: '90', rid: 'GENERAL' }, 'alice');
        expect(blockText(bar.response?.view?.blocks)).toContain('Only workspace admins');
        const confirm = await seats().interact({ type: 'blockAction', actionId: 'seats.confirm', value: 'anything', rid: 'GENERAL' }, 'alice');
        expect(confirm.response?.type).toBe('modal.open');
        expect(blockText(confirm.response?.view?.blocks)).toContain('Only workspace admins');
        const submit = await seats().interact({ type: 'viewSubmit', view: { id: 'user-directory-seats-confirm-anything', blocks: [] } }, 'alice');
        expect(blockText(submit.response?.view?.blocks)).toContain('Only workspace admins');
        expect(await seats().deactivated()).toEqual(ALREADY_DEACTIVATED);
    });

    it.each([
        ['deactivate', 'Say how long users must have been inactive'],
        ['deactivate inactive:0d', 'out of range: the number of days must be from 1 to 3650'],
        ['deactivate inactive:99999999d', 'out of range'],
        ['deactivate inactive:abc', 'is not a duration'],
        ['deactivate inactive:90d please', 'Only `inactive:<days>d` is understood here'],
    ])('refuses %s with a clear error and changes nothing', async (params, message) => {
        const reply = await seats().reply(params, 'admin');
        expect(reply.text).toContain(message);
        expect(reply.text).toContain('Nothing was changed');
        expect(buttonOf(reply.blocks, 'seats.confirm')).toBeUndefined();
        expect(await seats().deactivated()).toEqual(ALREADY_DEACTIVATED);
    });

    it('refuses to act while the audit room named in the settings does not exist', async () => {
        await seats().settings({ deactivation_audit_room: 'no-such-room' });
        const reply = await seats().reply('deactivate inactive:90d', 'admin');
        expect(reply.text).toContain('The audit room `#no-such-room`');
        await seats().settings({ deactivation_audit_room: 'audit' });
    });

    it('previews, confirms with the exact number, sends the undo list first, and deactivates exactly the previewed users', async () => {
        const preview = await seats().reply('deactivate inactive:90d', 'admin');
        const planned = [...FATE.deactivated, ...FATE.loggedInSince, ...FATE.lastOwner];
        const text = blockText(preview.blocks);
        expect(text).toContain(`*${planned.length} users* would be deactivated`);
        // What each exemption kept out: the caller is recent, so only the others count.
        expect(text).toContain('10 active users are inactive. Never deactivated among them:');
        expect(text).toContain("You: *0*\nThe app's user: *0*\nAdmins: *1*\nBots and apps: *1*\nFederated users: *1*\nExempt roles (auditor): *1*");
        for (const username of planned) expect(text).toContain(`\`@${username}\``);
        for (const username of [...FATE.untouched, ...Object.values(FATE.exempt).flat()]) expect(text).not.toContain(`@${username}\``);
        expect(text).toContain('never, created 1 Jun 2019');
        expect(text).toContain('last login 15 Jan 2020');
        // The preview changed nothing.
        expect(await seats().deactivated()).toEqual(ALREADY_DEACTIVATED);

        const button = buttonOf(preview.blocks, 'seats.confirm');
        expect(button?.text).toEqual(expect.objectContaining({ text: `Deactivate ${planned.length} users…` }));
        // Someone logs in between the preview and the confirmation.
        expect((await host().post('/host/login', { userId: 'comes.back' }, 'admin')).status).toBe(200);

        const opened = (await seats().interact({ type: 'blockAction', actionId: 'seats.confirm', value: button?.value, rid: 'GENERAL' }, 'admin')).response;
        expect(opened?.type).toBe('modal.open');
        const modal = { view: opened?.view as NonNullable<Produced['response']>['view'] & { submit?: { text: { text: string } } } };
        expect(modal.view?.title?.text).toBe(`Deactivate ${planned.length} users?`);
        expect(modal.view?.submit?.text.text).toBe(`Deactivate ${planned.length} users`);
        expect(await seats().deactivated()).toEqual(ALREADY_DEACTIVATED);

        const started = await seats().interact({ type: 'viewSubmit', view: modal.view }, 'admin');
        expect(started.response?.view?.title?.text).toBe('Deactivation started');
        const bot = preview.sender as string;
        expect(blockText(started.response?.view?.blocks)).toContain(`\`@${bot}\``);

        // A second confirmation of the same preview does nothing and says so.
        const again = await seats().interact({ type: 'viewSubmit', view: modal.view }, 'admin');
        expect(blockText(again.response?.view?.blocks)).toMatch(
            /already confirmed: its run `run-\w+` is in progress|already confirmed and its run `run-\w+` has ended/,
        );

        const dm = () => seats().messages('im.messages', { username: bot }, 'admin');
        const messages = await seats().waitFor(dm, 'Deactivation report');
        // The undo list came first: a CSV of exactly the previewed users.
        expect(messages[0].file?.name).toMatch(/^deactivation-run-\w+-undo\.csv$/);
        const undo = toCsv(
            seatsWorkspace()
                .users.filter((u) => planned.includes(u.username))
                .sort((a, b) => planned.indexOf(a.username) - planned.indexOf(b.username))
                .map((u) => ({ _id: u._id, username: u.username, name: u.name, lastLogin: u.lastLogin, createdAt: u.createdAt, roles: u.roles })),
            UNDO_COLUMNS,
        );
        expect(messages[0].file?.size).toBe(Buffer.byteLength(undo));

        const report = messages[messages.length - 1];
        const reportText = blockText(report.blocks);
        expect(reportText).toContain('*3 deactivated* · *3 skipped*');
        expect(reportText).toContain('Deactivated (3): `@never.in`, `@gus.guest`, `@old.login`');
        expect(reportText).toContain('Logged in since the preview (1): `@comes.back`');
        expect(reportText).toMatch(/Last owner of a room \(2\): `@room.owner`, `@solo.member` — `\[user-last-owner\]`/);
        // Progress between the undo list and the report (one step took them all).
        expect(messages[1].msg).toBe('Deactivating 6 users inactive for 90 days: 0 of 6 handled (0 deactivated, 0 skipped)…');
        expect(messages).toHaveLength(3);

        expect(await seats().deactivated()).toEqual([...ALREADY_DEACTIVATED, ...FATE.deactivated].sort());
        // Each was deactivated after the undo list was in the admin's messages.
        const changed = await host().get('users.list', 'admin', { query: { active: false }, fields: { _updatedAt: 1 }, count: 0 });
        const updatedAt = Object.fromEntries((changed.body.users as Array<{ username: string; _updatedAt: string }>).map((u) => [u.username, u._updatedAt]));
        for (const username of FATE.deactivated) expect(updatedAt[username] >= messages[0].ts).toBe(true);
        // Rocket.Chat turns a deactivated user's direct rooms read-only.
        expect((await seats().roomInfo('dm-old-alice')).ro).toBe(true);

        // The audit room has the start, what each step did, and the report.
        const audit = await seats().messages('channels.messages', { roomName: 'audit' }, 'admin');
        const auditText = audit.map((m) => `${String(m.msg)}\n${blockText(m.blocks)}`).join('\n');
        expect(auditText).toContain('`@admin` starts deactivating 6 users inactive for 90 days');
        expect(auditText).toMatch(/Run `run-\w+`:\n• Deactivated \(3\)/);
        expect(auditText).toContain('*3 deactivated* · *3 skipped*');

        // Confirming the finished preview once more: nothing happens, and it says so.
        const late = await seats().interact({ type: 'viewSubmit', view: modal.view }, 'admin');
        expect(blockText(late.response?.view?.blocks)).toMatch(/already confirmed and its run `run-\w+` has ended/);
        expect(await seats().deactivated()).toEqual([...ALREADY_DEACTIVATED, ...FATE.deactivated].sort());
    });

    it('offers the same review in the contextual bar, with a choice of days', async () => {
        // The directory's bar, filtered by last login, leads there.
        const directory = await seats().interact(
            { type: 'blockAction', actionId: 'directory.open', value: JSON.stringify({ list: 'users', inactiveDays: 90 }), rid: 'GENERAL' },
            'admin',
        );
        const entry = buttonOf(directory.response?.view?.blocks, 'seats.review');
        expect(entry).toMatchObject({ value: '90', text: { text: 'Review for deactivation…' } });
        const bar = await seats().interact({ type: 'blockAction', actionId: 'seats.review', value: entry?.value, rid: 'GENERAL' }, 'admin');
        expect(bar.response?.type).toBe('contextual_bar.open');
        // Everyone inactive is now deactivated or refused: the last owners remain.
        expect(blockText(bar.response?.view?.blocks)).toContain('*2 users* would be deactivated');
        const longer = await seats().interact(
            { type: 'blockAction', actionId: 'seats.days', value: '3650', container: { type: 'view', id: 'user-directory-seats-review' } },
            'admin',
        );
        expect(longer.response?.type).toBe('contextual_bar.update');
        expect(blockText(longer.response?.view?.blocks)).toContain('Nobody to deactivate');
    });

    it('runs the daily clean-up as a dry run by default: it reports in the audit room and changes nothing', async () => {
        const audit = () => seats().messages('channels.messages', { roomName: 'audit' }, 'admin');
        const before = (await audit()).length;
        const at = new Date(Math.ceil((Date.now() + 10_000) / 60_000) * 60_000);
        await seats().settings({ cleanup_enabled: true, cleanup_time: at.toISOString().slice(11, 16) });
        const added = (await seats().waitFor(audit, 'Daily clean-up', at.getTime() - Date.now() + 20_000)).slice(before);
        const report = added.find((m) => String(m.msg).startsWith('Daily clean-up'));
        expect(report?.msg).toBe('Daily clean-up (dry run): 2 users would be deactivated. Nothing was changed.');
        expect(blockText(report?.blocks)).toContain('`@room.owner`');
        expect(await seats().deactivated()).toEqual([...ALREADY_DEACTIVATED, ...FATE.deactivated].sort());
    });
});
