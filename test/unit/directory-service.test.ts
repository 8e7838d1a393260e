import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { CHUNK_USERS } from '../../src/cluster/snapshot';
import { DirectoryUnavailable } from '../../src/DirectoryService';
import { FIRST_DIRECTORY_BUDGET_MS, follow, ids, instance as instanceOf, InstanceOptions, memberReads, user, Workspace, workspace } from './fake-workspace';
import { MemoryDatabase } from './memory-store';
import { VirtualClock } from './virtual-clock';

/** The time of every instance in a test: sleeps take none. */
let clock: VirtualClock;
beforeEach(() => {
    clock = new VirtualClock();
});

const instance = (ws: Workspace, db: MemoryDatabase, options: InstanceOptions = {}) => instanceOf(clock, ws, db, options);

/** Lets queued feed writes land (they are batched over a few milliseconds). */
const published = () => clock.idle();

describe('DirectoryService: building', () => {
    it('crawls every room, reading a direct room only when a member is met nowhere else', async () => {
        const ws = workspace();
        const { svc } = instance(ws, new MemoryDatabase());
        const directory = await follow(svc);
        expect(ids(directory)).toEqual(['ann', 'app.bot', 'bob', 'cy', 'dee']);
        // eve is in no room: invisible until met. dm-ann-bob is skipped, dm-cy-dee is read for dee.
        expect(ws.calls).toEqual(['getAppUser', 'getAllRooms', 'getMembers:general', 'getMembers:team', 'getMembers:dm-cy-dee']);
    });

    it('pages through the rooms 100 at a time', async () => {
        const ws = workspace();
        ws.rooms = Array.from({ length: 250 }, (_, i) => ({ id: `r${i}`, type: 'c' as const, members: ['ann'] }));
        const { svc } = instance(ws, new MemoryDatabase());
        await follow(svc);
        expect(ws.calls.filter((call) => call === 'getAllRooms')).toHaveLength(3);
        expect(svc.info()).toMatchObject({ ready: true, lastBuild: { rooms: 250, bridgeCalls: 1 + 3 + 250 } });
    });

    it('answers 503-style (DirectoryUnavailable) within its budget while nobody can build yet, then serves once a snapshot exists', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const waiting = instance(ws, db, { canWrite: false });
        const started = clock.now();
        await expect(waiting.svc.get()).rejects.toBeInstanceOf(DirectoryUnavailable);
        expect(clock.now() - started).toBe(FIRST_DIRECTORY_BUDGET_MS);
        expect(memberReads(ws)).toBe(0); // without a writer it cannot publish, so it does not crawl

        await follow(instance(ws, db).svc);
        expect(ids(await follow(waiting.svc))).toContain('ann');
    });

    it('the safety net re-reads everything, without undoing the changes that arrived while it ran', async () => {
        const ws = workspace();
        const { svc } = instance(ws, new MemoryDatabase(), { maxAgeMs: 0, fullRereadMs: 0 });
        const first = await follow(svc);
        svc.upsert(user('eve')); // met through an event only: no room shows eve
        await published();

        let open!: () => void;
        ws.gate = new Promise((resolve) => (open = resolve));
        ws.users.set('cy', user('cy', { name: 'Cy From Rooms' }));
        const readsBefore = memberReads(ws);
        await svc.rebuildIfDue();
        await clock.until(() => memberReads(ws) > readsBefore); // the lease settles, the crawl waits at the gate
        expect(svc.info()).toMatchObject({ passing: true });
        expect(await svc.get()).toBe(first); // the directory answers meanwhile

        await clock.sleep(10); // events after the reads began
        svc.upsert(user('dee', { status: 'away' }));
        svc.remove('bob');
        open();
        await svc.settled();
        const rebuilt = await svc.get();

        expect(rebuilt).toBe(first); // the differences went into it, as changes
        expect(ids(rebuilt)).toEqual(['ann', 'app.bot', 'cy', 'dee', 'eve']);
        expect(rebuilt.get('cy')?.name).toBe('Cy From Rooms');
        expect(rebuilt.get('dee')?.status).toBe('away'); // read as online before the event: the event wins
        // The app user is read on the first build only; later the safety net reads it by id, as a user in no room.
        expect(ws.calls.filter((call) => call === 'getAppUser')).toHaveLength(1);
        expect(ws.calls).toContain('getById:app.bot');
        expect(ws.calls).toContain('getById:eve');
    });

    it('reports a failed crawl and crawls again on a later look', async () => {
        const ws = workspace();
        const errors: unknown[] = [];
        const { svc } = instance(ws, new MemoryDatabase(), { errors });
        const reader = ws.reader.bind(ws);
        ws.reader = () => ({ ...reader(), getRoomReader: () => ({ getAllRooms: async () => undefined }) }) as unknown as IRead;
        await svc.tick();
        await svc.settled();
        expect(String(errors[0])).toContain('room.system.view-all');
        ws.reader = reader;
        expect(ids(await follow(svc))).toContain('ann');
    });
});

describe('DirectoryService: a cluster of instances', () => {
    it('crawls once for instances started together: one holds the lease, the others load its snapshot', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const cluster = [instance(ws, db), instance(ws, db), instance(ws, db)];
        await Promise.all(cluster.map(({ svc }) => svc.tick()));
        await Promise.all(cluster.map(({ svc }) => svc.settled()));
        const builders = cluster.filter(({ svc }) => svc.info().lastBuild);
        expect(builders).toHaveLength(1);
        expect(memberReads(ws)).toBe(3);
        for (const { svc } of cluster) {
            expect(ids(await follow(svc))).toEqual(['ann', 'app.bot', 'bob', 'cy', 'dee']);
        }
        expect(memberReads(ws)).toBe(3);
    });

    it('an instance started later loads the snapshot with no member read, in chunks, and catches up with the feed', async () => {
        const ws = workspace();
        const many = Array.from({ length: 2 * CHUNK_USERS + 10 }, (_, i) => `u${i}`);
        many.forEach((id) => ws.users.set(id, user(id)));
        ws.rooms.push({ id: 'big', type: 'c', members: many });
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        await follow(a.svc);
        a.svc.upsert(user('eve', { name: 'Eve Later' }));
        a.svc.remove('u7');
        await published();

        const reads = memberReads(ws);
        const late = instance(ws, db);
        const directory = await follow(late.svc);
        expect(memberReads(ws)).toBe(reads);
        expect(late.svc.info()).toMatchObject({ snapshot: { chunks: 3, users: many.length + 5 } });
        expect(directory.get('eve')?.name).toBe('Eve Later');
        expect(directory.has('u7')).toBe(false);
        expect(directory.has('u8')).toBe(true);
    });

    it("applies the others' changes on its next look: created, updated, presence, deleted", async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        const b = instance(ws, db);
        await follow(a.svc);
        const onB = await follow(b.svc);

        a.svc.upsert(user('eve'));
        a.svc.upsert(user('ann', { name: 'Ann Renamed' }));
        await a.svc.setPresence({ id: 'cy', username: 'cy', status: 'busy', statusText: 'in a call' } as IUser, 'busy');
        a.svc.remove('bob');
        await published();
        await b.svc.tick();

        expect(ids(onB)).toEqual(['ann', 'app.bot', 'cy', 'dee', 'eve']);
        expect(onB.get('ann')?.name).toBe('Ann Renamed');
        expect(onB.get('cy')).toMatchObject({ status: 'busy', statusText: 'in a call', name: 'CY' });
    });

    it('a change whose feed write landed late still reaches an instance that looked past its second meanwhile', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        const b = instance(ws, db);
        await follow(a.svc);
        const onB = await follow(b.svc);

        // The next feed entry is begun now and lands only after b has looked 4.5 s further on.
        let land!: () => void;
        const landing = new Promise<void>((resolve) => (land = resolve));
        const add = a.store.add.bind(a.store);
        a.store.add = async (keys, data) => {
            await landing;
            return add(keys, data);
        };
        a.svc.upsert(user('eve', { name: 'Eve Late' }));
        await clock.idle();
        await clock.sleep(4500);
        await b.svc.tick();
        land();
        await published();
        await b.svc.tick();
        expect(onB.get('eve')?.name).toBe('Eve Late');
    });

    it('never brings a deleted user back: not on a rebuild by another instance, not on a later load', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db, { maxAgeMs: 0, fullRereadMs: 0 });
        const b = instance(ws, db, { maxAgeMs: 0, fullRereadMs: 0 });
        await follow(a.svc);
        await follow(b.svc);
        a.svc.upsert(user('eve')); // in no room
        await published();
        await b.svc.tick();
        a.svc.remove('eve');
        a.svc.remove('bob'); // still a member of rooms: the crawl will meet bob again
        ws.rooms.forEach((room) => (room.members = room.members.filter((id) => id !== 'bob')));
        ws.users.delete('bob');
        await published();

        await b.svc.rebuildIfDue(); // b rebuilds without having looked at the feed since
        await b.svc.settled();
        for (const svc of [a.svc, b.svc, instance(ws, db).svc]) {
            const directory = await follow(svc);
            expect(directory.has('eve')).toBe(false);
            expect(directory.has('bob')).toBe(false);
        }
    });

    it('the periodic job skips a rebuild while the snapshot is fresh', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db, { maxAgeMs: 60_000 });
        await follow(a.svc);
        const reads = memberReads(ws);
        await a.svc.rebuildIfDue();
        await a.svc.settled();
        expect(memberReads(ws)).toBe(reads);
    });

    it('an idle instance makes one store read per look', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        await follow(a.svc);
        const b = instance(ws, db);
        await follow(b.svc);
        b.store.calls = [];
        for (let i = 0; i < 5; i++) await b.svc.tick();
        expect(b.store.calls).toEqual(['find', 'find', 'find', 'find', 'find']);
    });

    it('directory.info says how late its looks at the store came over the last hour: what a change from another instance may wait', async () => {
        const ws = workspace();
        const { svc } = instance(ws, new MemoryDatabase());
        await follow(svc);
        await svc.tick();
        await clock.sleep(500);
        await svc.tick();
        await clock.sleep(2600); // the loop was held: the next look starts late
        await svc.tick();
        expect(svc.info()).toMatchObject({ polls: { everyMs: 500, longestGapMs: 2600, longestGapAt: new Date(clock.now()).toISOString() } });

        for (let look = 0; look < 7201; look++) {
            await clock.sleep(500);
            await svc.tick();
        }
        expect(svc.info()).toMatchObject({ polls: { longestGapMs: 500 } }); // an hour later, the late look is forgotten
    });

    it('keeps the store small: old snapshots are dropped, only the current and the previous one stay', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db, { maxAgeMs: 0, fullRereadMs: 0 });
        for (let i = 0; i < 4; i++) {
            await a.svc.rebuildIfDue();
            await a.svc.settled();
        }
        const snapshots = new Set(db.records.flatMap((record) => record.keys).filter((key) => /^user-directory\/snapshot\/[^/]+$/.test(key)));
        expect(snapshots.size).toBe(2);
    });
});

describe('DirectoryService: what events carry', () => {
    it('presence keeps the rest of a known record, and reads an unknown user in full', async () => {
        const ws = workspace();
        ws.users.set('ann', user('ann', { emails: [{ address: 'ann@x.io', verified: true }] }));
        const { svc } = instance(ws, new MemoryDatabase());
        const directory = await follow(svc);
        ws.calls = [];
        const partial = { id: 'ann', username: 'ann', status: 'away', statusText: 'brb', isEnabled: null, emails: null } as unknown as IUser;
        await svc.setPresence(partial, 'away');
        expect(directory.get('ann')).toMatchObject({ status: 'away', statusText: 'brb', active: true, emails: [{ address: 'ann@x.io', verified: true }] });
        expect(ws.calls).toEqual([]);

        await svc.setPresence({ id: 'eve', username: 'eve' } as IUser, 'busy');
        expect(ws.calls).toEqual(['getById:eve']);
        expect(directory.get('eve')).toMatchObject({ status: 'busy', active: true, name: 'EVE' });
    });

    it('an update event is confirmed by reading the user again once Rocket.Chat has applied it', async () => {
        const ws = workspace();
        const { svc } = instance(ws, new MemoryDatabase());
        const directory = await follow(svc);
        // users.update {active:false}: the event still says enabled; the status is applied after it.
        svc.upsert(user('ann', { name: 'Ann Updated' }));
        const confirmedFrom = clock.now();
        svc.confirmLater('ann');
        ws.users.set('ann', user('ann', { name: 'Ann Updated', isEnabled: false }));
        expect(directory.get('ann')?.active).toBe(true);
        await clock.until(() => ws.calls.includes('getById:ann'));
        expect(clock.now() - confirmedFrom).toBeGreaterThanOrEqual(150); // Rocket.Chat's time to apply it
        await clock.idle();
        expect(directory.get('ann')).toMatchObject({ name: 'Ann Updated', active: false });
    });

    it('meets a caller in no room without replacing a known user', async () => {
        const ws = workspace();
        const { svc } = instance(ws, new MemoryDatabase());
        const directory = await follow(svc);
        svc.meet(user('eve'));
        svc.meet(user('ann', { name: 'Stale copy' }));
        expect(directory.has('eve')).toBe(true);
        expect(directory.get('ann')?.name).toBe('ANN');
    });
});
