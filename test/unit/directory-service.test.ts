import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { Directory } from '../../src/core/directory';
import { DirectoryService } from '../../src/DirectoryService';

/**
 * The service against a small workspace behind the two accessors it uses
 * (getAllRooms and getMembers, plus the app user), counting every call.
 */
interface Room {
    id: string;
    type: 'c' | 'p' | 'd';
    members: string[];
}

function user(id: string, fields: Partial<IUser> = {}): IUser {
    return { id, username: id, name: id.toUpperCase(), roles: ['user'], isEnabled: true, status: 'online', ...fields } as IUser;
}

class Workspace {
    users = new Map<string, IUser>();
    rooms: Room[] = [];
    calls: string[] = [];
    /** When set, getMembers waits for it: a build in progress. */
    gate?: Promise<void>;

    reader(): IRead {
        return {
            getUserReader: () => ({
                getAppUser: async () => {
                    this.calls.push('getAppUser');
                    return user('app.bot', { roles: ['app'], type: 'app' } as Partial<IUser>);
                },
            }),
            getRoomReader: () => ({
                getAllRooms: async (_filters: unknown, { limit, skip }: { limit: number; skip: number }) => {
                    this.calls.push('getAllRooms');
                    return this.rooms.slice(skip, skip + limit).map((room) => ({ id: room.id, type: room.type, ...(room.type === 'd' && { userIds: room.members }) }));
                },
                getMembers: async (roomId: string) => {
                    this.calls.push(`getMembers:${roomId}`);
                    await this.gate;
                    const room = this.rooms.find((candidate) => candidate.id === roomId);
                    return (room?.members ?? []).map((id) => this.users.get(id)).filter(Boolean);
                },
            }),
        } as unknown as IRead;
    }
}

function workspace(): Workspace {
    const ws = new Workspace();
    for (const id of ['ann', 'bob', 'cy', 'dee', 'eve']) {
        ws.users.set(id, user(id));
    }
    ws.rooms = [
        { id: 'dm-ann-bob', type: 'd', members: ['ann', 'bob'] },
        { id: 'general', type: 'c', members: ['ann', 'bob', 'cy'] },
        { id: 'dm-cy-dee', type: 'd', members: ['cy', 'dee'] },
        { id: 'team', type: 'p', members: ['bob'] },
    ];
    return ws;
}

const ids = (directory: Directory) => [...directory.records()].map((record) => record._id).sort();

function service(ws: Workspace, maxAgeMs = 60_000, errors: unknown[] = []) {
    return new DirectoryService(() => ws.reader(), () => maxAgeMs, (error) => errors.push(error));
}

describe('DirectoryService', () => {
    it('builds from every room, reading a direct room only when a member is met nowhere else', async () => {
        const ws = workspace();
        const directory = await service(ws).get();
        expect(ids(directory)).toEqual(['ann', 'app.bot', 'bob', 'cy', 'dee']);
        // eve is in no room: invisible until met. dm-ann-bob is skipped, dm-cy-dee is read for dee.
        expect(ws.calls).toEqual(['getAppUser', 'getAllRooms', 'getMembers:general', 'getMembers:team', 'getMembers:dm-cy-dee']);
    });

    it('pages through the rooms 100 at a time', async () => {
        const ws = workspace();
        ws.rooms = Array.from({ length: 250 }, (_, i) => ({ id: `r${i}`, type: 'c' as const, members: ['ann'] }));
        const svc = service(ws);
        await svc.get();
        expect(ws.calls.filter((call) => call === 'getAllRooms')).toHaveLength(3);
        expect(svc.info()).toMatchObject({ ready: true, lastBuild: { rooms: 250, bridgeCalls: 1 + 3 + 250 } });
    });

    it('reflects events at once: created, updated, status, deleted', async () => {
        const ws = workspace();
        const svc = service(ws);
        const directory = await svc.get();
        svc.upsert(user('eve'));
        svc.upsert(user('ann', { name: 'Ann Renamed' }));
        svc.remove('bob');
        expect(ids(directory)).toEqual(['ann', 'app.bot', 'cy', 'dee', 'eve']);
        expect(directory.get('ann')?.name).toBe('Ann Renamed');
    });

    it('meets a caller in no room without replacing a known user', async () => {
        const ws = workspace();
        const svc = service(ws);
        const directory = await svc.get();
        svc.meet(user('eve'));
        svc.meet(user('ann', { name: 'Stale copy' }));
        expect(directory.has('eve')).toBe(true);
        expect(directory.get('ann')?.name).toBe('ANN');
    });

    it('rebuilds in the background when old, answering from the previous directory meanwhile, and keeps changes made during the build', async () => {
        const ws = workspace();
        const svc = service(ws, 0);
        const first = await svc.get();
        svc.upsert(user('eve')); // met through an event only: no room shows eve

        let open!: () => void;
        ws.gate = new Promise((resolve) => (open = resolve));
        ws.users.set('cy', user('cy', { name: 'Cy From Rooms' }));
        const during = await svc.get(); // stale (age 0): starts a rebuild, answers at once
        expect(during).toBe(first);
        expect(svc.info()).toMatchObject({ building: true });

        svc.upsert(user('dee', { status: 'away' })); // arrives while the rebuild runs
        svc.remove('bob');
        open();
        const rebuilt = await svc.rebuild();

        expect(rebuilt).not.toBe(first);
        expect(ids(rebuilt)).toEqual(['ann', 'app.bot', 'cy', 'dee', 'eve']);
        expect(rebuilt.get('cy')?.name).toBe('Cy From Rooms');
        expect(rebuilt.get('dee')?.status).toBe('away');
        expect(await svc.get()).toBe(rebuilt);
        // The app user is read on the first build only; later builds carry it over.
        expect(ws.calls.filter((call) => call === 'getAppUser')).toHaveLength(1);
    });

    it('fails the first request when the first build fails, and retries on the next', async () => {
        const ws = workspace();
        const reader = ws.reader();
        let fail = true;
        const svc = new DirectoryService(
            () => (fail ? ({ ...reader, getRoomReader: () => ({ getAllRooms: async () => undefined }) } as unknown as IRead) : reader),
            () => 60_000,
            () => undefined,
        );
        await expect(svc.get()).rejects.toThrow('room.system.view-all');
        fail = false;
        expect(ids(await svc.get())).toContain('ann');
    });

    it('does not retry a failed background rebuild on every request', async () => {
        const ws = workspace();
        const errors: unknown[] = [];
        let maxAge = 60_000;
        const svc = new DirectoryService(() => ws.reader(), () => maxAge, (error) => errors.push(error));
        const directory = await svc.get();
        ws.reader = () => ({ getUserReader: () => ({}), getRoomReader: () => ({ getAllRooms: async () => undefined }) }) as unknown as IRead;
        maxAge = 0;
        await svc.get();
        await new Promise((resolve) => setImmediate(resolve));
        expect(errors).toHaveLength(1);
        maxAge = 60_000;
        expect(await svc.get()).toBe(directory);
        await new Promise((resolve) => setImmediate(resolve));
        expect(errors).toHaveLength(1);
    });
});

describe('DirectoryService presence', () => {
    it('keeps the rest of a known record, and reads an unknown user in full', async () => {
        const ws = workspace();
        ws.users.set('ann', user('ann', { emails: [{ address: 'ann@x.io', verified: true }] }));
        const svc = service(ws);
        const directory = await svc.get();
        const partial = { id: 'ann', username: 'ann', status: 'away', statusText: 'brb', isEnabled: null, emails: null } as unknown as IUser;
        const read = jest.fn(async (id: string) => ws.users.get(id));
        await svc.setPresence(partial, 'away', read);
        expect(directory.get('ann')).toMatchObject({ status: 'away', statusText: 'brb', active: true, emails: [{ address: 'ann@x.io', verified: true }] });
        expect(read).not.toHaveBeenCalled();

        await svc.setPresence({ id: 'eve', username: 'eve' } as IUser, 'busy', read);
        expect(read).toHaveBeenCalledWith('eve');
        expect(directory.get('eve')).toMatchObject({ status: 'busy', active: true, name: 'EVE' });
    });
});
