import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { crawlDirectory, WATCH_INTERVAL_MS } from '../../src/upkeep/crawl';
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
});
