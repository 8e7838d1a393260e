/// <reference types="jest" />
/**
 * Deactivation on a 3-instance cluster: one run at a time for the whole
 * workspace, its deactivations in the directory of every instance, and the
 * daily clean-up once per day for the cluster, not once per instance.
 */
import { blockText, buttonOf, FATE, SeatsClient, seatsWorkspace } from './seats';
import { eventually, useHost } from './support';

jest.setTimeout(180_000);

const host = useHost(seatsWorkspace, { instances: 3 });
const seats = (instance = 1) => new SeatsClient(host().on(instance));
/** Nobody logs in meanwhile here: whoever was inactive and not refused goes. */
const DEACTIVATED = ['gone.already', ...FATE.deactivated, ...FATE.loggedInSince].sort();

/** A preview by `admin` on `instance`, and its confirmation modal. */
async function previewAndModal(admin: string, instance: number) {
    const preview = await seats(instance).reply('deactivate inactive:90d', admin);
    const planId = buttonOf(preview.blocks, 'seats.confirm')?.value;
    expect(planId).toBeTruthy();
    const opened = await seats(instance).interact({ type: 'blockAction', actionId: 'seats.confirm', value: planId, rid: 'GENERAL' }, admin);
    return { view: opened.response?.view, bot: preview.sender as string };
}

describe('deactivation on a cluster', () => {
    beforeAll(async () => {
        await seats().settings({ deactivation_enabled: true, deactivation_exempt_roles: 'auditor', deactivation_audit_room: 'audit' });
    });

    it('runs one at a time for the workspace: a second confirmation on another instance is told a run is in progress', async () => {
        const first = await previewAndModal('admin', 2);
        const second = await previewAndModal('old.admin', 3);
        const [a, b] = await Promise.all([
            seats(2).interact({ type: 'viewSubmit', view: first.view }, 'admin'),
            seats(3).interact({ type: 'viewSubmit', view: second.view }, 'old.admin'),
        ]);
        const titles = [a, b].map((reply) => reply.response?.view?.title?.text).sort();
        expect(titles).toEqual(['Deactivation', 'Deactivation started']);
        const refused = [a, b].find((reply) => reply.response?.view?.title?.text === 'Deactivation');
        expect(blockText(refused?.response?.view?.blocks)).toMatch(/A deactivation run is in progress \(`run-\w+`, started by `@(admin|old\.admin)`/);

        const winner = a.response?.view?.title?.text === 'Deactivation started' ? 'admin' : 'old.admin';
        const dm = () => seats().messages('im.messages', { username: first.bot }, winner);
        const messages = await seats().waitFor(dm, 'Deactivation report');
        const reportAt = Date.now();
        expect(blockText(messages[messages.length - 1].blocks)).toContain('*4 deactivated* · *2 skipped*');

        // The engine sends no event for an app's deactivations: the directory of every instance still shows them, within about a second.
        for (const instance of [1, 2, 3]) {
            const seen = await eventually(
                () => seats(instance).deactivated(),
                (list) => list.join() === DEACTIVATED.join(),
                3000,
            );
            expect(seen).toEqual(DEACTIVATED);
        }
        expect(Date.now() - reportAt).toBeLessThan(3000);
    });

    it('runs the daily clean-up once for the cluster, at its time of day', async () => {
        const audit = () => seats().messages('channels.messages', { roomName: 'audit' }, 'admin');
        const before = (await audit()).length;
        // The next whole minute (UTC) that leaves the settings time to reach every instance.
        const at = new Date(Math.ceil((Date.now() + 10_000) / 60_000) * 60_000);
        const time = at.toISOString().slice(11, 16);
        await seats(2).settings({ cleanup_enabled: true, cleanup_dry_run: true, cleanup_inactive_days: 90, cleanup_time: time });
        // Nothing before its time.
        expect((await audit()).length).toBe(before);

        const messages = await seats().waitFor(audit, 'Daily clean-up (dry run)', at.getTime() - Date.now() + 20_000);
        // Give the other instances every chance to run it too.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const added = (await audit()).slice(before);
        expect(added.filter((m) => String(m.msg).startsWith('Daily clean-up'))).toHaveLength(1);
        const report = added.find((m) => String(m.msg).startsWith('Daily clean-up'));
        expect(report?.msg).toBe('Daily clean-up (dry run): 2 users would be deactivated. Nothing was changed.');
        expect(Date.parse(report?.ts)).toBeGreaterThanOrEqual(at.getTime());
        // The list of who would go, as a CSV beside it.
        expect(added.filter((m) => m.file)).toHaveLength(1);
        expect(messages.length).toBeGreaterThan(before);
        // A dry run changes nothing.
        expect(await seats(3).deactivated()).toEqual(DEACTIVATED);
    });

    it('does not run again the same day when its time is moved later', async () => {
        const audit = () => seats().messages('channels.messages', { roomName: 'audit' }, 'admin');
        const before = (await audit()).length;
        const at = new Date(Math.ceil((Date.now() + 10_000) / 60_000) * 60_000);
        await seats(3).settings({ cleanup_time: at.toISOString().slice(11, 16) });
        await new Promise((resolve) => setTimeout(resolve, at.getTime() - Date.now() + 5000));
        expect((await audit()).slice(before)).toEqual([]);
    });
});
