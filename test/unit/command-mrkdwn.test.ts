import { code, strong, text } from '../../src/command/mrkdwn';
import { generateDemoWorkspace } from '../../host';
import { readBack } from './mrkdwn-reader';

/** Names, usernames and addresses that trip a naive escaper (from the issue, and hostile ones). */
const TRICKY = [
    'ada_20',
    'lars_356@example.com',
    '@chloe.bianchi:matrix.example.org',
    "Ada O'Brien",
    'Jérôme Dupré',
    'Ann *Star* Lee',
    'Ann_ _Lee',
    '_italic_',
    'x _a_ y',
    '(_a_)',
    '~strike~',
    'a~b~',
    'code `x` here',
    '#general',
    'C# dev',
    'back\\slash',
    'a\\*b',
    'a\\.b',
    'a\\_b',
    'evil [click](http://example.com)',
    'evil <http://example.com|click>',
    'x www.example.com y',
    'mail x_y@example.com now',
    'under__score__',
    '* star',
    'Zoë _the_ best',
    '> not a quote',
    '1. not a list',
    '# not a heading',
    '- not a list item',
];

function demoValues(): string[] {
    const { users } = generateDemoWorkspace();
    return users
        .flatMap((user) => [user.username, user.name ?? '', ...(user.emails ?? []).map((email) => email.address), ...(user.roles ?? [])])
        .filter(Boolean);
}

describe('mrkdwn helpers, read back by Rocket.Chat’s message parser', () => {
    it.each(TRICKY)('text(%j) reads exactly as the data, with no markup but links', (value) => {
        // As in a row: something before it, so line-start rules (quotes, lists) apply as in the app's texts.
        const read = readBack(`• ${text(value)} ·`);
        expect(read.text).toBe(`• ${value} ·`);
        expect(read.markup.filter((kind) => kind !== 'LINK')).toEqual([]);
    });

    it.each(TRICKY)('strong(%j) reads exactly as the data, bold only when that is safe', (value) => {
        const read = readBack(`• ${strong(value)} ·`);
        expect(read.text).toBe(`• ${value} ·`);
        expect(read.markup.filter((kind) => kind !== 'LINK' && kind !== 'BOLD')).toEqual([]);
    });

    it('bolds ordinary names, and escapes only what the parser would misread', () => {
        expect(strong("Ada O'Brien")).toBe("*Ada O'Brien*");
        expect(readBack(strong('Jérôme Dupré')).markup).toEqual(['BOLD']);
        expect(text('ada_20')).toBe('ada_20');
        expect(text('lars_356@example.com')).toBe('lars_356@example.com');
        expect(readBack(text('lars_356@example.com'))).toEqual({ text: 'lars_356@example.com', markup: ['LINK'] });
        expect(text('@chloe.bianchi:matrix.example.org')).toBe('@chloe.bianchi:matrix.example.org');
        expect(text('x _a_ y')).toBe('x \\_a_ y');
    });

    it('writes inline code unless the value holds a backtick', () => {
        expect(readBack(code('status:all'))).toEqual({ text: 'status:all', markup: ['INLINE_CODE'] });
        expect(readBack(`a ${code('x`y')} b`)).toEqual({ text: 'a x`y b', markup: [] });
    });

    it('reads back every name, username, email and role of the demo workspace', () => {
        const wrong = demoValues().filter((value) => {
            const plain = readBack(`• ${text(value)} ·`);
            const bold = readBack(`• ${strong(value)} ·`);
            return plain.text !== `• ${value} ·` || bold.text !== `• ${value} ·`;
        });
        expect(wrong).toEqual([]);
    });
});
