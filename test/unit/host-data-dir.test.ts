/// <reference types="jest" />
/**
 * `--data DIR`: the store's users, rooms and app persistence written to one
 * file (whole, through a temporary file renamed over the old one) while they
 * change, and loaded back as they were.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { DataDirWriter, loadDataDir } from '../../host/dataDir';
import { ClusterStore } from '../../host/store';
import type { Workspace } from '../../host/workspace';

const workspace = (): Workspace => ({
    users: [
        { _id: 'admin', username: 'admin', roles: ['admin'], authToken: 'admin-token' },
        { _id: 'alice', username: 'alice', name: 'Alice' },
    ],
    rooms: [
        { _id: 'GENERAL', name: 'general', t: 'c', members: ['admin', 'alice'], owners: ['admin'], _updatedAt: '2024-01-01T00:00:00.000Z' },
        { _id: 'dm', t: 'd', members: ['admin', 'alice'], ro: true },
    ],
});

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-data-dir-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the data directory', () => {
    it('holds nothing at first, then what the store held at the last write: users, rooms with their dates, app records with their ids', async () => {
        expect(loadDataDir(dir)).toBeUndefined();
        const store = new ClusterStore(workspace());
        const lines: string[] = [];
        const writer = new DataDirWriter(dir, store, (line) => lines.push(line));
        writer.start();
        const id = store.persistence.insert('app', { snapshot: [1, 2, 3] }, [{ model: 'misc', id: 'base' }]);
        store.workspace.replaceUser({ ...store.workspace.getUser('alice')!, name: 'Alice B.' });
        store.workspace.removeMember('GENERAL', 'alice');
        await writer.save();
        expect(fs.readdirSync(dir)).toEqual(['store.json']);

        const loaded = loadDataDir(dir)!;
        const again = new ClusterStore(loaded.workspace);
        again.persistence.restore(loaded.persistence);
        expect(again.workspace.getUser('alice')?.name).toBe('Alice B.');
        expect(again.workspace.getUser('admin')?.authToken).toBe('admin-token');
        const general = again.workspace.rooms.get('GENERAL')!;
        expect(general.members).toEqual(['admin']);
        expect(general._updatedAt).toBe(store.workspace.rooms.get('GENERAL')!._updatedAt);
        expect(general._updatedAt).not.toBe('2024-01-01T00:00:00.000Z');
        expect(again.workspace.rooms.get('dm')).toMatchObject({ ro: true, ts: store.workspace.rooms.get('dm')!.ts });
        expect(again.workspace.roomIdsOf('alice')).toEqual(['dm']);
        expect(again.persistence.findById(id)).toEqual({ snapshot: [1, 2, 3] });
        expect(again.persistence.held()).toEqual(store.persistence.held());
        await writer.stop();
        expect(lines).toHaveLength(1);
    });

    it('writes only when something changed since the last write', async () => {
        const store = new ClusterStore(workspace());
        const lines: string[] = [];
        const writer = new DataDirWriter(dir, store, (line) => lines.push(line));
        writer.start();
        await writer.save();
        expect(loadDataDir(dir)).toBeUndefined();
        store.persistence.insert('app', { n: 1 });
        await writer.save();
        await writer.save();
        expect(lines).toHaveLength(1);
        store.workspace.addMember('GENERAL', 'alice'); // already a member: no change
        await writer.save();
        expect(lines).toHaveLength(1);
        store.persistence.removeAll('app', []);
        await writer.stop();
        expect(lines).toHaveLength(2);
        expect(loadDataDir(dir)?.persistence).toEqual([]);
    });

    it('writes in slices, letting the store change between them: each document as it was when its slice was written, the rest with the next write', async () => {
        const ws = workspace();
        // Some megabytes of users ahead of the rooms: several slices, with turns of the loop between them.
        ws.users.push(...Array.from({ length: 20_000 }, (_, i) => ({ _id: `u${i}`, username: `user-${i}`, name: `User Number ${i} With A Longer Name` })));
        const store = new ClusterStore(ws);
        const writer = new DataDirWriter(dir, store, () => undefined);
        writer.start();
        store.persistence.insert('app', { n: 1 });
        setImmediate(() => {
            // The first turn the write leaves: the users are being written, the rooms not yet.
            store.workspace.removeMember('GENERAL', 'alice');
            store.persistence.insert('app', { n: 2 });
        });
        await writer.save();

        const first = loadDataDir(dir)!;
        expect(first.workspace.users).toHaveLength(20_002);
        expect(first.workspace.rooms.find((room) => room._id === 'GENERAL')?.members).toEqual(['admin']); // written after the change
        expect(first.persistence.map((record) => record.data)).toEqual([{ n: 1 }]); // the records were listed before it
        await writer.stop();
        expect(loadDataDir(dir)!.persistence.map((record) => record.data)).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('refuses a file it cannot read back, naming it', () => {
        const file = path.join(dir, 'store.json');
        fs.writeFileSync(file, '{"format": 1, "users": [');
        expect(() => loadDataDir(dir)).toThrow(`${file} is not a saved store: `);
        fs.writeFileSync(file, JSON.stringify({ format: 1, savedAt: 'x', users: [{ _id: 'a' }], rooms: [], persistence: [] }));
        expect(() => loadDataDir(dir)).toThrow(`${file} holds a malformed workspace: users[0].username must be a non-empty string`);
        fs.writeFileSync(file, JSON.stringify({ format: 2 }));
        expect(() => loadDataDir(dir)).toThrow(`${file} is not a saved store of format 1`);
    });
});
