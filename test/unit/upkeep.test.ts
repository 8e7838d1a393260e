import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { ChangeFeed } from '../../src/cluster/feed';
import { readMeta } from '../../src/cluster/meta';
import { CHUNK_USERS, writeSnapshot } from '../../src/cluster/snapshot';
import { follow, instance as instanceOf, InstanceOptions, user, Workspace, workspace } from './fake-workspace';
import { MemoryDatabase } from './memory-store';
import { VirtualClock } from './virtual-clock';

/**
 * The upkeep after the first build: the cheap pass every period, the safety
 * net, the base snapshot and its feed, on a virtual clock.
 */
let clock: VirtualClock;
beforeEach(() => {
    clock = new VirtualClock();
});

const PERIOD_MS = 60_000;
const instance = (ws: Workspace, db: MemoryDatabase, options: InstanceOptions = {}) => instanceOf(clock, ws, db, { maxAgeMs: PERIOD_MS, ...options });
/** What directory.info says, as far as these tests read it. */
const facts = (svc: ReturnType<typeof instance>['svc']) => svc.info() as { snapshot: { id: string }; upkeep: { changesSinceBase: number } };
const userReads = (ws: Workspace) => ws.calls.filter((call) => call.startsWith('getMembers') || call.startsWith('getById')).length;

/** The scheduler job, one period later. */
async function nextPeriod(svc: ReturnType<typeof instance>['svc']): Promise<void> {
    await clock.sleep(PERIOD_MS);
    await svc.rebuildIfDue();
    await svc.settled();
    await clock.idle();
}

/** Deactivates a user as users.setActiveStatus does: no event; the user's direct rooms turn read-only. */
function setActiveStatus(ws: Workspace, id: string, active: boolean): void {
    const now = clock.now();
    ws.users.set(id, { ...(ws.users.get(id) as IUser), isEnabled: active, updatedAt: new Date(now) });
    for (const room of ws.rooms.filter((candidate) => candidate.type === 'd' && candidate.members.includes(id))) {
        const others = room.members.filter((member) => member !== id);
        room.ro = !active || others.some((member) => ws.users.get(member)?.isEnabled === false);
        room.updatedAt = now;
    }
}

describe('Upkeep: the cheap pass', () => {
    it('on an idle workspace reads no user: one look at the rooms, without members', async () => {
        const ws = workspace();
        // Deactivated before Rocket.Chat marked direct rooms read-only: the flag disagrees, but the room says nothing new.
        ws.users.set('dee', user('dee', { isEnabled: false }));
        const { svc } = instance(ws, new MemoryDatabase());
        await follow(svc);
        ws.calls = [];
        await nextPeriod(svc);
        await nextPeriod(svc);
        expect(ws.calls).toEqual(['getAllRooms', 'getAllRooms']);
        expect(svc.info()).toMatchObject({ upkeep: { lastPass: { rooms: 4, roomsUpdated: 0, userReads: 0, changes: 0 } } });
    });

    it("another instance's looks read only the small meta records; what a pass did is read once after it, for directory.info", async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        const b = instance(ws, db);
        await follow(a.svc);
        await follow(b.svc);
        b.store.readKeys = [];
        await nextPeriod(a.svc);
        for (let i = 0; i < 3; i++) await b.svc.tick();
        expect(b.store.readKeys).toEqual(['user-directory/meta', 'user-directory/upkeep-reports', 'user-directory/meta', 'user-directory/meta']);
        expect(b.svc.info()).toMatchObject({ upkeep: { lastPass: { rooms: 4, userReads: 0 } } });
        const meta = await db.instance().find(['user-directory/meta']);
        expect(JSON.stringify(meta).length).toBeLessThan(800); // four records: head, lease, pointer, upkeep state
    });

    it('finds a deactivation through a direct room turned read-only, and the reactivation when it is writable again, on every instance', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        const b = instance(ws, db);
        await follow(a.svc);
        const onB = await follow(b.svc);

        setActiveStatus(ws, 'dee', false);
        ws.calls = [];
        await nextPeriod(a.svc);
        expect(ws.calls).toEqual(['getAllRooms', 'getById:cy', 'getById:dee']); // both shown active in a read-only room
        await b.svc.tick();
        expect(onB.get('dee')?.active).toBe(false);
        expect(onB.get('cy')?.active).toBe(true);

        setActiveStatus(ws, 'dee', true);
        ws.calls = [];
        await nextPeriod(a.svc);
        expect(ws.calls).toEqual(['getAllRooms', 'getById:dee']); // writable again: only the one shown deactivated
        await b.svc.tick();
        expect(onB.get('dee')?.active).toBe(true);
    });

    it('reads a room updated since the last pass, but not one bigger than the limit, and says so in directory.info', async () => {
        const ws = workspace();
        ws.users.set('fay', user('fay'));
        const many = Array.from({ length: 30 }, (_, i) => `m${i}`);
        many.forEach((id) => ws.users.set(id, user(id)));
        ws.rooms.push({ id: 'big', type: 'c', members: many });
        const { svc } = instance(ws, new MemoryDatabase(), { maxRoomMembers: 20 });
        await follow(svc); // the first build reads every room once, and learns that 'big' is big
        expect(svc.info()).toMatchObject({ upkeep: { skippedRooms: [{ id: 'big', members: 30 }] } });

        ws.users.set('newbie', user('newbie'));
        ws.rooms.find((room) => room.id === 'big')?.members.push('newbie');
        ws.rooms.find((room) => room.id === 'team')?.members.push('fay');
        ws.rooms.forEach((room) => (room.updatedAt = clock.now()));
        ws.calls = [];
        await nextPeriod(svc);
        expect(ws.calls).toEqual(['getAllRooms', 'getMembers:general', 'getMembers:team']);
        const directory = await svc.get();
        expect(directory.has('fay')).toBe(true);
        expect(directory.has('newbie')).toBe(false); // only in the big room: comes with an event (join, login, ...)
        expect(svc.info()).toMatchObject({ upkeep: { lastPass: { roomsUpdated: 5, roomsRead: 2, skippedRooms: { big: 30 } } } });
    });

    it('a user joining a room (the event) is known at once, with no read', async () => {
        const ws = workspace();
        const { svc } = instance(ws, new MemoryDatabase());
        const directory = await follow(svc);
        ws.calls = [];
        svc.upsert(user('joiner')); // what executePostRoomUserJoined hands over
        expect(directory.has('joiner')).toBe(true);
        expect(ws.calls).toEqual([]);
    });
});

describe('Upkeep: the safety net', () => {
    it('runs at its own interval, reads users in no room by id, and finds what no signal reports (a deactivation, a user gone)', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const full = 10 * PERIOD_MS;
        const a = instance(ws, db, { fullRereadMs: full });
        const b = instance(ws, db, { fullRereadMs: full });
        await follow(a.svc);
        a.svc.upsert(user('eve')); // in no room
        await clock.idle();
        const onB = await follow(b.svc);

        ws.users.set('eve', user('eve', { isEnabled: false })); // setActiveStatus on a user without a direct room
        ws.users.set('bob', user('bob', { roles: ['user', 'admin'] })); // roles changed on the permissions page
        ws.users.delete('ann'); // deleted while no instance ran
        ws.rooms.forEach((room) => (room.members = room.members.filter((id) => id !== 'ann')));
        ws.calls = [];
        for (let i = 0; i < 9; i++) await nextPeriod(a.svc);
        expect(userReads(ws)).toBe(0);
        expect(onB.get('eve')?.active).toBe(true);

        await nextPeriod(a.svc);
        expect(ws.calls.filter((call) => call.startsWith('getById')).sort()).toEqual(['getById:ann', 'getById:app.bot', 'getById:eve']);
        await b.svc.tick();
        expect(onB.get('eve')?.active).toBe(false);
        expect(onB.get('bob')?.roles).toEqual(['user', 'admin']);
        expect(onB.has('ann')).toBe(false);
        expect(a.svc.info()).toMatchObject({ upkeep: { lastFull: { readById: 3, changes: 3 } } });
        expect(b.svc.info()).toMatchObject({ loading: false, snapshot: { id: facts(a.svc).snapshot.id } }); // taken, not loaded
    });

    it('a room found too big is not read whole again by any later safety net (they once forgot it every other time)', async () => {
        const ws = workspace();
        const many = Array.from({ length: 30 }, (_, i) => `m${i}`);
        many.forEach((id) => ws.users.set(id, user(id)));
        ws.rooms.push({ id: 'big', type: 'c', members: many });
        const { svc } = instance(ws, new MemoryDatabase(), { maxRoomMembers: 20, fullRereadMs: PERIOD_MS });
        await follow(svc);
        ws.calls = [];
        for (let i = 0; i < 3; i++) await nextPeriod(svc);
        expect(ws.calls.filter((call) => call.startsWith('getMembers:general'))).toHaveLength(3);
        expect(ws.calls).not.toContain('getMembers:big');
        expect(svc.info()).toMatchObject({ upkeep: { skippedRooms: [{ id: 'big', members: 30 }] } });
    });
});

describe('Upkeep: a base snapshot and the change feed', () => {
    async function clusterWithUsers(count: number) {
        const ws = workspace();
        const many = Array.from({ length: count }, (_, i) => `u${i}`);
        many.forEach((id) => ws.users.set(id, user(id)));
        ws.rooms.push({ id: 'big', type: 'c', members: many });
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        await follow(a.svc);
        return { ws, db, a };
    }

    it('stores changes, not copies: the feed grows until it is worth a new base, which followers take without loading it', async () => {
        const { ws, db, a } = await clusterWithUsers(2000);
        const b = instance(ws, db);
        await follow(b.svc);
        const firstBase = facts(a.svc).snapshot.id;
        const chunksWritten = () => a.store.calls.filter((call) => call === 'add').length;

        for (let i = 0; i < 999; i++) a.svc.upsert(user(`u${i}`, { name: `Renamed ${i}` }));
        await clock.idle();
        const before = chunksWritten();
        await nextPeriod(a.svc);
        expect(facts(a.svc).snapshot.id).toBe(firstBase); // 999 changes: below the 1,000 that make a new base
        expect(chunksWritten()).toBe(before);

        a.svc.upsert(user('u999', { name: 'Renamed 999' }));
        await clock.idle();
        await nextPeriod(a.svc);
        const secondBase = facts(a.svc).snapshot;
        expect(secondBase.id).not.toBe(firstBase);
        expect(facts(a.svc).upkeep.changesSinceBase).toBe(0);

        b.store.readKeys = [];
        await follow(b.svc);
        expect(b.svc.info()).toMatchObject({ snapshot: { id: secondBase.id } });
        expect(b.store.readKeys.filter((key) => key.startsWith('user-directory/snapshot/'))).toEqual([]); // taken, not loaded
        expect((await b.svc.get()).get('u999')?.name).toBe('Renamed 999');
        const late = instance(ws, db);
        const loaded = await follow(late.svc);
        expect(loaded.get('u999')?.name).toBe('Renamed 999');
        expect(loaded.size).toBe(2005);
    });

    it('never loads a torn snapshot: a pointer whose chunks are not all there fails the load; an instance that may write builds a new base', async () => {
        const { ws, db } = await clusterWithUsers(2 * CHUNK_USERS);
        const pointer = (await readMeta(db.instance())).snapshot;
        const chunkKey = `user-directory/snapshot/${pointer?.id}/1`;
        db.records = db.records.filter((record) => !record.keys.includes(chunkKey));
        const errors: unknown[] = [];
        const reader = instance(ws, db, { errors, canWrite: false });
        await reader.svc.tick();
        await reader.svc.settled();
        expect(String(errors[0])).toContain('lacks chunk 1');
        expect(reader.svc.info().ready).toBe(false);
        await reader.svc.tick();
        await reader.svc.settled();
        expect(errors).toHaveLength(1); // not tried again

        const writer = instance(ws, db);
        await writer.svc.tick();
        await writer.svc.settled(); // its load fails too
        const rebuilt = await follow(writer.svc); // then it builds a new base
        expect(rebuilt.size).toBe(2 * CHUNK_USERS + 5);
        expect(facts(writer.svc).snapshot.id).not.toBe(pointer?.id);
        expect((await follow(reader.svc)).size).toBe(2 * CHUNK_USERS + 5);
    });

    it("cleans up a dead writer's orphaned chunks when the next base is written", async () => {
        const { ws, db, a } = await clusterWithUsers(10);
        await writeSnapshot(db.instance(), 'dead-writer', [user('x') as never], clock.now()); // a writer that died before its pointer
        expect(db.records.some((record) => record.keys.includes('user-directory/snapshot/dead-writer'))).toBe(true);
        const b = instance(ws, db, { fullRereadMs: 0 });
        await follow(b.svc);
        await nextPeriod(b.svc);
        expect(db.records.some((record) => record.keys.some((key) => key.startsWith('user-directory/snapshot/dead-writer')))).toBe(false);
        expect(db.records.some((record) => record.keys.includes('user-directory/snapshot-pending'))).toBe(false);
        expect(a.svc.info().ready).toBe(true);
    });
});

describe('Upkeep: GET requests write nothing', () => {
    it('a user met in a request is applied here and published only with the next handler that may write', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        await follow(a.svc);
        const b = instance(ws, db);
        const onB = await follow(b.svc);
        a.store.calls = [];
        a.svc.meet(user('caller'));
        await a.svc.get();
        await clock.idle();
        expect((await a.svc.get()).has('caller')).toBe(true);
        expect(a.store.calls.filter((call) => call !== 'find')).toEqual([]);

        a.svc.mayWrite(); // an event, a job, a command
        await clock.idle();
        await b.svc.tick();
        expect(onB.has('caller')).toBe(true);
    });

    it('an instance asked for the directory while there is none loads a snapshot but never crawls', async () => {
        const ws = workspace();
        const db = new MemoryDatabase();
        const a = instance(ws, db);
        a.store.calls = [];
        await a.svc.get().catch(() => undefined);
        expect(a.store.calls.filter((call) => call !== 'find')).toEqual([]);
        expect(ws.calls).toEqual([]);
    });
});

describe('Upkeep: the change feed', () => {
    it('publishes a change queued while a write is under way (it once waited for the next change)', async () => {
        const db = new MemoryDatabase();
        const store = db.instance();
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const add = store.add.bind(store);
        let adds = 0;
        store.add = async (keys, data) => {
            if (adds++ === 0) await gate; // the first write is slow
            return add(keys, data);
        };
        const feed = new ChangeFeed(store, 'a', () => undefined, clock.now, clock.sleep);
        feed.publish({ op: 'remove', id: 'first' });
        await clock.until(() => adds === 1);
        feed.publish({ op: 'remove', id: 'second' }); // queued while the first write waits
        release();
        await clock.idle();
        await feed.flush();
        const entries = await feed.since(clock.now() - 60_000);
        expect(entries.flatMap((entry) => entry.changes.map((change) => (change.op === 'remove' ? change.id : '')))).toEqual(['first', 'second']);
    });
});
