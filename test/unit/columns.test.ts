import sift from 'sift';

import { Directory } from '../../src/core/directory';
import { RunInSteps, runNow } from '../../src/core/job';
import type { SortKey } from '../../src/core/sortOrder';
import { containsText, hasFlag } from '../../src/core/filters';
import { Flag } from '../../src/core/columns';
import { queryFilter } from '../../src/core/query';
import { UserRecord } from '../../src/core/record';
import { rec } from './fixtures';

/**
 * The directory holds users in compact columns and builds records on demand:
 * what goes in must come out unchanged, whatever its shape, and what reads
 * the columns (searches, sorts, coded custom-field paths) must stay right
 * through changes.
 */

const key = (field: string, direction: 1 | -1 = 1): SortKey => ({ path: field.split('.'), direction });

describe('Directory columns', () => {
    it('gives back every record exactly as it was put in, in the usual form or not', () => {
        const records: UserRecord[] = [
            rec({
                _id: 'plain',
                username: 'ann',
                name: 'Ann',
                emails: [{ address: 'a@x.io', verified: true }],
                type: 'user',
                roles: ['user', 'admin'],
                status: 'online',
                active: true,
                lastLogin: '2024-04-24T17:47:50.485Z',
                createdAt: '2020-01-01T00:00:00.000Z',
                _updatedAt: '2024-04-24T17:47:50.485Z',
                utcOffset: 5.5,
                statusText: 'here',
                customFields: { team: 'A', level: [1, { x: 2 }] },
                federated: false,
                freeSwitchExtension: '1001',
            }),
            rec({ _id: 'bare' }),
            rec({
                _id: 'odd',
                emails: [],
                roles: [],
                lastLogin: '2024-01-02',
                createdAt: 'not a date',
                utcOffset: NaN,
                nameInsensitive: 'custom',
                federated: true,
                active: false,
            }),
            rec({
                _id: 'two-emails',
                emails: [
                    { address: 'b@y.org', verified: false },
                    { address: 'c@x.io', verified: true },
                ],
                name: 'Émile \u{1F600}',
            }),
        ];
        const directory = new Directory(records);
        for (const record of records) {
            expect(directory.get(record._id)).toEqual(record);
        }
        expect([...directory.records()]).toEqual(records);
        // A record handed out is the caller's own: changing it changes nothing held.
        (directory.get('plain')?.roles as string[]).push('changed');
        expect(directory.get('plain')?.roles).toEqual(['user', 'admin']);
        expect(directory.get('odd')?.nameInsensitive).toBe('custom');
    });

    it('finds renamed users after more changes than a search checks one by one', () => {
        const directory = new Directory(Array.from({ length: 1000 }, (_, i) => rec({ _id: `id${i}`, username: `user${i}` })));
        const found = (needle: string) => directory.select([key('username')], [containsText(needle, false)], 0, Infinity).total;
        expect(found('user')).toBe(1000);
        for (let i = 0; i < 700; i++) {
            directory.upsert(rec({ _id: `id${i}`, username: `renamed${i}` }));
            if (i % 100 === 0) expect(found('renamed')).toBe(i + 1);
        }
        expect(found('renamed')).toBe(700);
        expect(found('user')).toBe(300);
    });

    it('sorts a few matches alone the same as through the full order', () => {
        const users = Array.from({ length: 300 }, (_, i) =>
            rec({
                _id: `id${String(i).padStart(3, '0')}`,
                username: `u${(i * 7919) % 300}`,
                active: i % 3 === 0,
                lastLogin: i % 5 ? new Date(Date.UTC(2024, 0, 1 + (i % 40))).toISOString() : undefined,
            }),
        );
        const page = (directory: Directory, sort: SortKey[]) =>
            directory.select(sort, [hasFlag(Flag.ACTIVE, true)], 10, 30).records.map((record) => record._id);
        for (const sort of [[key('lastLogin', -1)], [key('lastLogin')], [key('username', -1)]]) {
            const alone = page(new Directory(users), sort);
            const prepared = new Directory(users);
            prepared.prepare([sort]);
            expect(alone).toEqual(page(prepared, sort));
        }
    });

    it('keeps coded custom-field paths right through changes', () => {
        const teams = ['Sales', 'Support', undefined];
        const users = Array.from({ length: 60 }, (_, i) =>
            rec({ _id: `id${i}`, username: `u${i}`, customFields: teams[i % 3] ? { team: teams[i % 3] } : i % 2 ? { team: ['Sales', 'Ops'] } : undefined }),
        );
        const directory = new Directory(users);
        const query = { 'customFields.team': 'Sales' };
        const selected = () =>
            directory
                .select([], [queryFilter(query)], 0, Infinity)
                .records.map((record) => record._id)
                .sort();
        const expected = () =>
            [...directory.records()]
                .filter(sift(query))
                .map((record) => record._id)
                .sort();
        expect(selected()).toEqual(expected());
        directory.upsert(rec({ _id: 'id1', username: 'u1', customFields: { team: 'Sales' } }));
        directory.upsert(rec({ _id: 'id0', username: 'u0' }));
        directory.remove('id3');
        directory.upsert(rec({ _id: 'new', username: 'n', customFields: { team: 'Sales' } }));
        expect(selected()).toEqual(expected());
        expect(selected()).toContain('new');
    });
});

describe('Directory sorts without a built order', () => {
    it('picks the first pages of many matches, builds the order in the background, and places users changed meanwhile', async () => {
        const day = 24 * 3600 * 1000;
        const users = Array.from({ length: 25_000 }, (_, i) =>
            rec({
                _id: `id${i}`,
                username: `u${(i * 7919) % 25_000}`,
                active: i % 10 !== 0,
                ...(i % 7 !== 0 && { lastLogin: new Date(Date.UTC(2024, 0, 1) + ((i * 104729) % 5000) * day).toISOString() }),
            }),
        );
        // The background build is stepped by hand: started before the changes, finished after them.
        let finishBuild: (() => void) | undefined;
        const runInSteps: RunInSteps = (job) =>
            new Promise((resolve) => {
                job.next();
                finishBuild = () => resolve(runNow(job));
            });
        const directory = new Directory(users, { runInSteps });
        const sort = [key('lastLogin', -1)];
        const active = [hasFlag(Flag.ACTIVE, true)];
        const page = (target: Directory, offset: number, count: number) => target.select(sort, active, offset, count).records.map((record) => record._id);
        const picked = page(directory, 50, 50);
        expect(directory.hasOrder(sort)).toBe(false);

        // Changes while the order is built in the background.
        directory.upsert(rec({ _id: 'id1', username: 'moved', active: true, lastLogin: '2099-01-01T00:00:00.000Z' }));
        directory.remove('id2');
        directory.upsert(rec({ _id: 'late', username: 'late', active: true, lastLogin: '2098-01-01T00:00:00.000Z' }));
        expect(finishBuild).toBeDefined();
        finishBuild?.();
        await new Promise((resolve) => setImmediate(resolve));
        expect(directory.hasOrder(sort)).toBe(true);

        const fresh = new Directory(users);
        fresh.prepare([sort]);
        expect(picked).toEqual(page(fresh, 50, 50));
        const changedFresh = new Directory([...directory.records()]);
        changedFresh.prepare([sort]);
        expect(page(directory, 0, Infinity)).toEqual(page(changedFresh, 0, Infinity));
        expect(page(directory, 0, 2)).toEqual(['id1', 'late']);
    });
});
