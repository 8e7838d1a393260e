/**
 * The chat's reading order: by the caller's language, ignoring case and
 * accents, nameless users last; the endpoints keep Rocket.Chat's binary order.
 */
import { collatorFor, pageInOrder, readingOrder } from '../../src/command/order';
import { emptyQuery } from '../../src/command/parse';
import { renderListMessage } from '../../src/command/render';
import { directoryPage } from '../../src/command/run';
import { defaultConfig } from '../../src/core/config';
import { Directory } from '../../src/core/directory';
import { translator } from '../../src/i18n';
import { selectUsersByStatus, selectUsersList } from '../../src/core/handlers';
import { prng } from '../../host';
import { ADMIN, rec } from './fixtures';

const user = (_id: string, username: string, name?: string) =>
    rec({ _id, username, ...(name !== undefined && { name }), roles: ['user'], active: true, type: 'user', status: 'offline' });

const users = [
    user('u1', 'zed', 'Zed Zimmer'),
    user('u2', 'emile', 'Émile Zola'),
    user('u3', 'emma', 'emma stone'),
    user('u4', 'anna', 'Ängla Berg'),
    user('u5', 'alice', 'alice Liddell'),
    user('u6', 'ana_10', 'Ana 10'),
    user('u7', 'ana_9', 'Ana 9'),
    user('u8', 'nobody'),
    user('u9', 'Blank', '   '),
    user('u10', 'ole', 'Øle Olsen'),
];
const context = () => ({ directory: new Directory(users), config: defaultConfig() });
const names = (language: string, sort?: { field: string; direction: 1 | -1 }, pageSize = 20) =>
    directoryPage({ ...emptyQuery(), sort }, ADMIN, context(), pageSize, collatorFor(language)).rows.map(
        (row) => row.fields.name ?? `@${String(row.fields.username)}`,
    );

describe('the chat’s reading order', () => {
    it('sorts names as an English reader does: case and accents aside, numbers by value, nameless users last', () => {
        expect(names('en')).toEqual([
            'alice Liddell',
            'Ana 9',
            'Ana 10',
            'Ängla Berg',
            'Émile Zola',
            'emma stone',
            'Øle Olsen',
            'Zed Zimmer',
            '   ',
            '@nobody',
        ]);
    });

    it('follows the caller’s language: Swedish puts Ä and Ø after Z', () => {
        expect(names('sv').slice(0, 8)).toEqual(['alice Liddell', 'Ana 9', 'Ana 10', 'Émile Zola', 'emma stone', 'Zed Zimmer', 'Ängla Berg', 'Øle Olsen']);
        expect(names('de-AT')).toEqual(names('en'));
    });

    it('keeps nameless users last when descending, and sorts usernames the same way', () => {
        expect(names('en', { field: 'name', direction: -1 }).slice(-3)).toEqual(['alice Liddell', '@nobody', '   ']);
        const byUsername = directoryPage({ ...emptyQuery(), sort: { field: 'username', direction: 1 } }, ADMIN, context(), 20, collatorFor('en'));
        expect(byUsername.rows.map((row) => row.fields.username)).toEqual([
            'alice',
            'ana_9',
            'ana_10',
            'anna',
            'Blank',
            'emile',
            'emma',
            'nobody',
            'ole',
            'zed',
        ]);
    });

    it('pages in that order without overlap or gap, and says when a page is past the end', () => {
        const pages = [1, 2, 3, 4].map((page) => directoryPage({ ...emptyQuery(), page }, ADMIN, context(), 3, collatorFor('en')));
        expect(pages.flatMap((page) => page.rows.map((row) => row.fields.name ?? `@${String(row.fields.username)}`))).toEqual(names('en'));
        const far = directoryPage({ ...emptyQuery(), page: 9 }, ADMIN, context(), 3, collatorFor('en'));
        expect(far).toMatchObject({ pastEnd: 9, query: { page: 4 }, pageCount: 4 });
        expect(far.rows.map((row) => row.fields.username)).toEqual(['nobody']);
    });

    it('leaves the endpoints in Rocket.Chat’s binary order ("Zed" before "alice")', () => {
        const rest = selectUsersList({ caller: ADMIN, query: { sort: '{"name":1}', count: '20' } }, context());
        expect(rest.records.map((record) => record.name).filter(Boolean)).toEqual([
            '   ',
            'Ana 10',
            'Ana 9',
            'Zed Zimmer',
            'alice Liddell',
            'emma stone',
            'Ängla Berg',
            'Émile Zola',
            'Øle Olsen',
        ]);
        const byStatus = selectUsersByStatus({ caller: ADMIN, query: {} }, context());
        expect(byStatus.records.map((record) => record.username)).toEqual([
            'Blank',
            'alice',
            'ana_10',
            'ana_9',
            'anna',
            'emile',
            'emma',
            'nobody',
            'ole',
            'zed',
        ]);
    });

    it('falls back to English for an unknown or malformed language', () => {
        expect(collatorFor('not a language tag!').resolvedOptions().locale).toBe('en');
        expect(collatorFor('pt_BR').resolvedOptions().locale).toMatch(/^pt/);
        expect(collatorFor(undefined).resolvedOptions().locale).toBe('en');
    });

    it('picks a near page in one pass exactly as sorting everything would', () => {
        const rand = prng(7);
        const words = ['ana', 'Ana', 'Åsa', 'bo', 'Bö', 'zoë', 'Zoe', 'émile', 'Emil', ''];
        const rows = Array.from({ length: 400 }, (_, i) => ({
            _id: `id${Math.floor(rand() * 1e6)}-${i}`,
            name: rand() < 0.1 ? undefined : `${words[Math.floor(rand() * words.length)]} ${Math.floor(rand() * 30)}`,
            username: `u${Math.floor(rand() * 50)}`,
        }));
        const order = readingOrder(collatorFor('en'), 'name');
        const sorted = [...rows].sort(order);
        for (const [offset, count] of [
            [0, 10],
            [10, 10],
            [90, 10],
            [350, 10],
            [395, 10],
        ]) {
            expect(pageInOrder(rows, order, offset, count)).toEqual(sorted.slice(offset, offset + count));
        }
    });

    it('shows a user without a name by the username once, at the end of the list', () => {
        const last = directoryPage({ ...emptyQuery(), page: 4 }, ADMIN, context(), 3, collatorFor('en'));
        const render = { appId: 'app', t: translator('en'), siteUrl: 'https://chat.example.com' };
        const rows = renderListMessage(last, render).blocks.filter((block: any) => block.type === 'context' && block.elements[0].type === 'image');
        expect(rows.map((block: any) => block.elements[1].text)).toEqual(['⚫ [@nobody](https://chat.example.com/direct/nobody)']);
    });
});
