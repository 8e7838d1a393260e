import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { crawlDirectory, ONE_MESSAGE_MEMBERS, WATCH_INTERVAL_MS } from '../../src/upkeep/crawl';
import { rec } from './fixtures';

const HELD_MS = 40;

describe('crawlDirectory', () => {
    it('adds a big room member by member, lets go of each member handed over, pauses, counts the users read, and measures how long the loop was held', async () => {
        let time = 0;
        const members: Array<IUser | undefined> = Array.from(
            { length: 5000 },
            (_, i) => ({ id: `m${i}`, username: `m${i}`, roles: ['user'] }) as unknown as IUser,
        );
        const handedOver = [...members];
        const read = {
            getUserReader: () => ({ getAppUser: async () => ({ id: 'app', username: 'app.bot' }) }),
            getRoomReader: () => ({
                getAllRooms: async () => [{ id: 'general', type: 'c' }],
                getMembers: async () => {
                    time += HELD_MS; // the runtime holds the loop this long handing the members over
                    return handedOver;
                },
            }),
        } as unknown as IRead;
        let pauses = 0;
        let sinceStart = 0;
        const pace = { due: () => ++sinceStart % 1000 === 0, pause: async () => void pauses++ };
        const { directory, report } = await crawlDirectory(read, { includeAppUser: true, pace, now: () => time });
        expect(directory.size).toBe(5001);
        expect(handedOver.every((member) => member === undefined)).toBe(true);
        expect(pauses).toBeGreaterThanOrEqual(5);
        expect(report).toMatchObject({ bridgeCalls: 3, rooms: 1, userReads: 5001 });
        // The loop watch ticks every WATCH_INTERVAL_MS: it finds its tick that much later than due.
        expect(report.loopHeldMs).toBe(HELD_MS - WATCH_INTERVAL_MS);
        expect(directory.get('m4999')).toEqual(rec({ _id: 'm4999', username: 'm4999', roles: ['user'] }));
    });

    describe('a default channel (every user joins it at sign-up)', () => {
        /** General (a default channel with `general` members) and direct rooms naming `pairs` pairs of other users; calls are logged. */
        const workspaceOf = (general: number, pairs: number) => {
            const calls: string[] = [];
            const person = (id: string) => ({ id, username: id, roles: ['user'] }) as unknown as IUser;
            const rooms: Array<{ id: string; type: string; isDefault?: boolean; userIds?: string[] }> = [
                { id: 'general', type: 'c', isDefault: true },
                ...Array.from({ length: pairs }, (_, i) => ({ id: `dm${i}`, type: 'd', userIds: [`a${i}`, `b${i}`] })),
            ];
            const byId = new Map(rooms.map((room) => [room.id, room]));
            const read = {
                getUserReader: () => ({ getAppUser: async () => person('app.bot') }),
                getRoomReader: () => ({
                    getAllRooms: async (_filters: unknown, { limit, skip }: { limit: number; skip: number }) => rooms.slice(skip, skip + limit),
                    getMembers: async (roomId: string) => {
                        calls.push(roomId);
                        if (roomId === 'general') return Array.from({ length: general }, (_, i) => person(i % 2 ? `a${i >> 1}` : `b${i >> 1}`));
                        return (byId.get(roomId)?.userIds ?? []).map(person);
                    },
                }),
            } as unknown as IRead;
            return { read, calls };
        };

        it('is read after the other rooms and before the direct rooms, whose members it already holds', async () => {
            const { read, calls } = workspaceOf(6, 4);
            const { directory, report } = await crawlDirectory(read, { includeAppUser: true });
            expect(calls).toEqual(['general', 'dm3']); // the pairs 0-2 were met in general
            expect(directory.size).toBe(9);
            expect(report.presumedRooms).toEqual([]);
        });

        it('is not read when the users known without it are more than one message can carry: presumed that big, and reported', async () => {
            const pairs = ONE_MESSAGE_MEMBERS / 2 + 1;
            const { read, calls } = workspaceOf(2 * pairs, pairs);
            const { report } = await crawlDirectory(read, { includeAppUser: true, pace: { due: () => false, pause: async () => {} } });
            expect(calls).not.toContain('general');
            expect(report.skippedRooms).toEqual({ general: 2 * pairs + 1 }); // the direct rooms' members and the app user
            expect(report.bigRooms).toEqual({ general: 2 * pairs + 1 });
            expect(report.presumedRooms).toEqual(['general']);
        });
    });
});
