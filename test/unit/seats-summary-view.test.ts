import { bar, renderSummaryView } from '../../src/command/summaryView';
import type { WorkspaceSummary } from '../../src/core/seats/summary';
import { translator } from '../../src/i18n';
import { readBack } from './mrkdwn-reader';

const SUMMARY: WorkspaceSummary = {
    seats: 842,
    users: { total: 1000, active: 957, deactivated: 43, bots: 6, apps: 3, guests: 21, neverLoggedIn: 57 },
    lastLogin: { '7d': 500, '30d': 120, '90d': 80, '1y': 60, older: 25, never: 57 },
    roles: [
        { role: 'user', users: 940 },
        { role: 'livechat-agent', users: 12 },
        { role: 'my_team*', users: 1 },
    ],
    asOf: '2026-12-07T10:00:00.000Z',
};

type Block = { type: string; text?: { text: string }; elements?: Array<{ type: string; text?: string | { text: string }; actionId?: string }> };

/** Every mrkdwn text of the view, read back by Rocket.Chat's parser, one entry per block. */
function readView(language: string) {
    const view = renderSummaryView(SUMMARY, { appId: 'app', t: translator(language), siteUrl: 'https://chat.example.com' });
    const blocks = view.blocks as Block[];
    const texts = blocks.flatMap((block) => [
        ...(block.text ? [block.text.text] : []),
        ...(block.type === 'context' ? (block.elements ?? []).map((element) => element.text as string) : []),
    ]);
    return { view, blocks, read: texts.map(readBack) };
}

describe('bars', () => {
    test('a share of a 12-cell track, in eighths, at least a sliver above zero', () => {
        const cells = (share: number) => bar(share).slice(1, -1);
        expect(cells(1)).toBe('█'.repeat(12));
        expect(cells(0)).toBe(' '.repeat(12));
        expect(cells(0.5)).toBe(`${'█'.repeat(6)}${' '.repeat(6)}`);
        expect(cells(1 / 96)).toBe(`▏${' '.repeat(11)}`);
        expect(cells(0.0001)).toBe(`▏${' '.repeat(11)}`);
        expect(cells(0.3)).toBe(`███▋${' '.repeat(8)}`); // 3.6 cells: 29 eighths, 3 cells and 5/8
        expect(bar(0.3)).toMatch(/^`.{12}`$/u);
    });
});

describe('the Summary view', () => {
    test('reads as intended in Rocket.Chat’s parser: figures, bars as inline code, no stray links', () => {
        const { view, read } = readView('en');
        expect(view).toMatchObject({ id: 'user-directory-summary', type: 'contextualBar', title: { text: 'Workspace summary' } });
        const all = read.map((r) => r.text).join('\n');
        expect(all).toContain('842 seats in use');
        expect(all).toContain('Seats as Rocket.Chat counts them for its license');
        expect(all).toContain('1,000 users · 957 active · 43 deactivated');
        expect(all).toContain('21 guests (no seat) · 6 bots · 3 apps');
        expect(all).toContain('Last login of the 842 seats');
        expect(all).toContain(`${'█'.repeat(7)}▏${' '.repeat(4)} Last 7 days · 500 (59%)`);
        expect(all).toContain('Never · 57 (7%)');
        expect(all).toContain(`${'█'.repeat(12)} user · 940`);
        expect(all).toContain('my_team* · 1'); // a role name stays as it is
        expect(all).toContain('As far as the directory knows');
        expect(all).toContain('As of 7 Dec 2026, 10:00 UTC.');
        const markup = read.flatMap((r) => r.markup);
        expect(markup).not.toContain('LINK');
        expect(markup.filter((kind) => kind === 'INLINE_CODE')).toHaveLength(6 + 3);
    });

    test('in German, with its numbers and dates', () => {
        const all = readView('de')
            .read.map((r) => r.text)
            .join('\n');
        expect(all).toContain('842 Lizenzplätze belegt');
        expect(all).toContain('1.000 Benutzer · 957 aktiv · 43 deaktiviert');
        expect(all).toContain('Letzte 7 Tage · 500 (59\u00a0%)');
        expect(all).toContain('Stand: 07.12.2026, 10:00 UTC.');
    });

    test('buttons: refresh in place, back to the directory', () => {
        const { blocks } = readView('en');
        const actions = blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
        expect(actions.map((element) => element.actionId)).toEqual(['directory.summary.refresh', 'directory.open']);
    });

    test('an empty directory: no division by zero, no roles', () => {
        const empty: WorkspaceSummary = {
            seats: 0,
            users: { total: 0, active: 0, deactivated: 0, bots: 0, apps: 0, guests: 0, neverLoggedIn: 0 },
            lastLogin: { '7d': 0, '30d': 0, '90d': 0, '1y': 0, older: 0, never: 0 },
            roles: [],
            asOf: null,
        };
        const view = renderSummaryView(empty, { appId: 'app', t: translator('en'), siteUrl: '' });
        const text = JSON.stringify(view);
        expect(text).not.toContain('NaN');
        expect(text).toContain('No active user holds a role.');
        expect(text).not.toContain('As of');
    });
});
