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

    it('runs the daily clean-up once for the cluster, at its time of day, with the undo list and the report in the audit room', async () => {
        const audit = () => seats().messages('channels.messages', { roomName: 'audit' }, 'admin');
        const before = (await audit()).length;
        // The next whole minute (UTC) that leaves the settings time to reach every instance.
        const at = new Date(Math.ceil((Date.now() + 10_000) / 60_000) * 60_000);
        await seats(2).settings({ cleanup_enabled: true, cleanup_dry_run: false, cleanup_inactive_days: 90, cleanup_time: at.toISOString().slice(11, 16) });
        // Nothing before its time.
        expect((await audit()).length).toBe(before);

        // The run's own report: the audit room already holds the manual run's.
        await seats().waitFor(async () => (await audit()).slice(before), 'Deactivation report', at.getTime() - Date.now() + 30_000);
        // Give the other instances every chance to run it too.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const added = (await audit()).slice(before);
        const starts = added.filter((m) => String(m.msg).startsWith('Daily clean-up'));
        expect(starts.map((m) => m.msg)).toEqual(['Daily clean-up: deactivating 2 users; the undo list follows.']);
        expect(Date.parse(starts[0].ts)).toBeGreaterThanOrEqual(at.getTime());
        // The undo list, then the run: the two left are the last owners of their rooms, refused again.
        const undo = added.findIndex((m) => m.file);
        expect(added[undo].file.name).toMatch(/^deactivation-cleanup-\d{4}-\d\d-\d\d-\w+-undo\.csv$/);
        const reports = added.filter((m) => String(m.msg).startsWith('Deactivation report'));
        expect(reports).toHaveLength(1);
        expect(added.indexOf(reports[0])).toBeGreaterThan(undo);
        const report = blockText(reports[0].blocks);
        expect(report).toContain('*0 deactivated* · *2 skipped*');
        expect(report).toContain('By the daily clean-up');
        expect(report).toMatch(/Last owner of a room \(2\): `@room.owner`, `@solo.member`/);
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
