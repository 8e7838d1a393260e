/// <reference types="jest" />
/**
 * The host's shared store: app persistence with the semantics of Rocket.Chat's
 * AppPersistenceBridge, and the scheduler's job store with those of its
 * Agenda-based AppSchedulerBridge, across instances.
 */
import { JobStore } from '../../host/jobs';
import { parseInterval } from '../../host/schedule';
import { noTraffic, PersistenceCollection } from '../../host/store';

const user = (id: string) => ({ model: 'user', id });
const room = (id: string) => ({ model: 'room', id });

describe('app persistence', () => {
    it('reads and removes by associations as $all: every given one, in any order, others allowed, per app', () => {
        const store = new PersistenceCollection();
        store.insert('app', { n: 1 }, [user('u1'), room('r1')]);
        store.insert('app', { n: 2 }, [room('r1')]);
        store.insert('app', { n: 3 }, [user('u1')]);
        store.insert('other-app', { n: 4 }, [user('u1'), room('r1')]);
        expect(store.findAll('app', [room('r1'), user('u1')])).toEqual([{ n: 1 }]);
        expect(store.findAll('app', [user('u1')])).toEqual([{ n: 1 }, { n: 3 }]);
        expect(store.findAll('app', [user('u2')])).toEqual([]);
        expect(store.removeAll('app', [room('r1')])).toEqual([{ n: 1 }, { n: 2 }]);
        expect(store.findAll('app', [user('u1')])).toEqual([{ n: 3 }]);
        expect(store.findAll('other-app', [user('u1')])).toEqual([{ n: 4 }]);
    });

    it('updates by the exact association list, and upserts: the new id when inserted, else an empty string', () => {
        const store = new PersistenceCollection();
        const inserted = store.updateExact('app', [user('u1'), room('r1')], { v: 1 }, true);
        expect(inserted).toMatch(/^[0-9a-f]{24}$/);
        expect(store.updateExact('app', [user('u1'), room('r1')], { v: 2 }, true)).toBe('');
        expect(store.findById(inserted)).toEqual({ v: 2 });
        // Another order is another list: a second record.
        expect(store.updateExact('app', [room('r1'), user('u1')], { v: 3 }, true)).not.toBe('');
        expect(store.updateExact('app', [user('u9')], { v: 4 }, false)).toBe('');
        expect(store.findAll('app', [user('u1')])).toEqual([{ v: 2 }, { v: 3 }]);
        expect(store.count('app')).toBe(2);
    });

    it('keeps copies: what a caller holds never changes the store', () => {
        const store = new PersistenceCollection();
        const data = { list: [1] };
        const id = store.insert('app', data);
        data.list.push(2);
        const read = store.findById(id) as { list: number[] };
        read.list.push(3);
        expect(store.findById(id)).toEqual({ list: [1] });
        expect(store.findById('missing')).toBeUndefined();
        expect(store.removeById(id, 'other-app')).toBeUndefined();
        expect(store.removeById(id, 'app')).toEqual({ list: [1] });
        expect(store.count()).toBe(0);
    });
});

describe('app persistence traffic', () => {
    const size = (appId: string, data: object, associations?: object[]) => Buffer.byteLength(JSON.stringify({ appId, associations, data }), 'utf8');

    it("counts each instance's records and JSON bytes read, written and removed, and what each app keeps", () => {
        const shared = new PersistenceCollection();
        const one = noTraffic();
        const two = noTraffic();
        const first = shared.metered(one);
        const second = shared.metered(two);
        const a = { name: 'Zoë', list: [1, 2] };
        const b = { n: 2 };
        first.insert('app', a, [user('u1')]);
        first.updateExact('app', [room('r1')], b, true);
        second.insert('other-app', { big: 'x'.repeat(100) });
        expect(one).toEqual({ reads: 0, readBytes: 0, writes: 2, writtenBytes: size('app', a, [user('u1')]) + size('app', b, [room('r1')]), removes: 0 });
        expect(two.writes).toBe(1);

        // A replacement is one record written again, at its new size.
        const b2 = { n: 22, more: true };
        second.updateExact('app', [room('r1')], b2, true);
        expect(two).toMatchObject({ writes: 2, writtenBytes: size('other-app', { big: 'x'.repeat(100) }) + size('app', b2, [room('r1')]) });
        expect(shared.held('app')).toEqual({ records: 2, bytes: size('app', a, [user('u1')]) + size('app', b2, [room('r1')]) });

        // Reads: every record answered, with its size; nothing matched, nothing counted.
        expect(second.findAll('app', [user('u1')])).toEqual([a]);
        second.findAll('app', [user('nobody')]);
        expect(two).toMatchObject({ reads: 1, readBytes: size('app', a, [user('u1')]) });
        expect(one).toMatchObject({ reads: 0, readBytes: 0 });

        first.removeAll('app', [room('r1')]);
        first.purge('other-app');
        expect(one.removes).toBe(2);
        expect(shared.held()).toEqual({ records: 1, bytes: size('app', a, [user('u1')]) });
        // The collection itself (no meter) counts nothing and sees the same records.
        expect(shared.count('app')).toBe(1);
    });

    it('dumps and restores records with their ids', () => {
        const shared = new PersistenceCollection();
        const id = shared.insert('app', { v: 1 }, [user('u1')]);
        const copy = new PersistenceCollection();
        copy.restore(JSON.parse(JSON.stringify(shared.dump())) as ReturnType<PersistenceCollection['dump']>);
        expect(copy.findById(id)).toEqual({ v: 1 });
        expect(copy.held()).toEqual(shared.held());
    });
});

describe('the job store', () => {
    let jobs: JobStore;
    const runs: Array<{ instance: number; context: Record<string, unknown> }> = [];
    const processor =
        (instance: number, ms = 0) =>
        async (context: Record<string, unknown>) => {
            runs.push({ instance, context });
            if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
        };
    const until = async (condition: () => boolean, ms = 2000) => {
        const deadline = Date.now() + ms;
        while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(condition()).toBe(true);
    };

    beforeEach(() => {
        jobs = new JobStore();
        runs.length = 0;
    });
    afterEach(() => jobs.stop());

    it('adds a one-time job for each schedule, even under the same name; each runs once and is removed', async () => {
        jobs.define(1, 'ping_app', processor(1));
        const a = jobs.schedule('ping_app', Date.now(), { appId: 'app', n: 1 });
        const b = jobs.schedule('ping_app', Date.now(), { appId: 'app', n: 2 });
        expect(a.id).not.toBe(b.id);
        await until(() => runs.length === 2);
        // The processor gets the data without appId, plus the job's id.
        expect(runs.map((r) => r.context).sort((x, y) => Number(x.n) - Number(y.n))).toEqual([
            { n: 1, jobId: a.id },
            { n: 2, jobId: b.id },
        ]);
        expect(jobs.find({ name: 'ping_app' })).toEqual([]);
    });

    it('keeps one recurring job per name however many instances schedule it, and runs each occurrence on one instance', async () => {
        for (const instance of [1, 2, 3]) jobs.define(instance, 'tick_app', processor(instance));
        const ids = [1, 2, 3].map((n) => jobs.every('tick_app', parseInterval(40), { appId: 'app', from: n }, false).id);
        expect(new Set(ids).size).toBe(1);
        expect(jobs.find({ name: 'tick_app' })).toHaveLength(1);
        await until(() => runs.length >= 6);
        jobs.stop();
        // The last call's data wins; the instances take turns.
        expect(new Set(runs.map((r) => r.context.from))).toEqual(new Set([3]));
        expect(new Set(runs.map((r) => r.instance))).toEqual(new Set([1, 2, 3]));
        // Never two runs of one occurrence: as many runs as the job's start times allow (every 40 ms).
        expect(runs.length).toBeLessThanOrEqual(10);
    });

    it('runs a due job only on an instance that defined its processor, and waits for one', async () => {
        jobs.schedule('late_app', Date.now(), {});
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(runs).toEqual([]);
        jobs.define(2, 'late_app', processor(2));
        await until(() => runs.length === 1);
        expect(runs[0].instance).toBe(2);
    });

    it('runs one occurrence of a name at a time per instance, and leaves a stopped instance out', async () => {
        jobs.define(1, 'slow_app', processor(1, 100));
        jobs.schedule('slow_app', Date.now(), { n: 1 });
        jobs.schedule('slow_app', Date.now(), { n: 2 });
        await until(() => runs.length === 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(runs).toHaveLength(1); // the second waits for the first to finish
        await until(() => runs.length === 2);

        jobs.define(2, 'slow_app', processor(2));
        jobs.forgetInstance(1);
        jobs.schedule('slow_app', Date.now(), { n: 3 });
        await until(() => runs.length === 3);
        expect(runs[2].instance).toBe(2);
    });

    it("keeps a recurring job's next run when scheduled again to run at once, and moves it when told to skip that", () => {
        const first = jobs.every('tick_app', parseInterval('1 hour'), {}, true);
        const next = first.nextRunAt!;
        expect(next).toBeGreaterThan(Date.now() + 3_500_000);
        expect(jobs.every('tick_app', parseInterval('2 hours'), {}, false).nextRunAt).toBe(next);
        expect(jobs.every('tick_app', parseInterval('2 hours'), {}, true).nextRunAt).toBeGreaterThan(Date.now() + 7_100_000);
    });

    it('cancels by id, by name, and every job of an app', () => {
        const once = jobs.schedule('a_app', Date.now() + 60_000, {});
        jobs.schedule('a_app', Date.now() + 60_000, {});
        jobs.every('b_app', parseInterval(60_000), {}, true);
        jobs.every('c_other', parseInterval(60_000), {}, true);
        expect(jobs.cancel({ id: once.id })).toBe(1);
        expect(jobs.cancel({ name: 'a_app' })).toBe(1);
        expect(jobs.cancel({ nameEndsWith: '_app' })).toBe(1);
        expect(jobs.find().map((j) => j.name)).toEqual(['c_other']);
    });
});
