import { RE2JS } from 're2js';

import { compileRegex, escapeRegex, UnsafeRegexError } from '../../src/core/regex';

const matches = (pattern: string, value: string, options?: string) => compileRegex(pattern, options)(value);

describe('compileRegex: MongoDB $regex semantics, in linear time', () => {
    it('matches literal patterns unanchored and case-sensitively, anchors honoured', () => {
        expect(matches('g', 'Big Boss')).toBe(true);
        expect(matches('g', 'GIANT')).toBe(false);
        expect(matches('G', 'giant', 'i')).toBe(true);
        expect(matches('^Big', 'Big Boss')).toBe(true);
        expect(matches('^Boss', 'Big Boss')).toBe(false);
        expect(matches('Boss$', 'Big Boss')).toBe(true);
        expect(matches('^Big Boss$', 'Big Boss!')).toBe(false);
        expect(matches('', 'anything')).toBe(true);
    });

    it('reads escaped metacharacters as literals', () => {
        expect(matches('a\\.b', 'a.b')).toBe(true);
        expect(matches('a\\.b', 'axb')).toBe(false);
        expect(matches('\\$5', 'costs $5')).toBe(true);
        expect(matches('5\\$', 'costs 5$')).toBe(true);
        expect(matches('\\\\$', 'ends with \\')).toBe(true);
        expect(matches('\\(a\\)', '(a)')).toBe(true);
        expect(matches('a-b/c', 'a-b/c')).toBe(true);
    });

    it('runs real patterns with i, m and s options', () => {
        expect(matches('^b', 'a\nb')).toBe(false);
        expect(matches('^b', 'a\nb', 'm')).toBe(true);
        expect(matches('a.b', 'a\nb')).toBe(false);
        expect(matches('a.b', 'a\nb', 's')).toBe(true);
        expect(matches('^[a-z]+\\d$', 'ABC1', 'i')).toBe(true);
        expect(matches('\\bcat\\b', 'the cat sat')).toBe(true);
        expect(matches('\\bcat\\b', 'concatenate')).toBe(false);
        expect(matches('^\\p{L}+$', 'Émile')).toBe(true);
        expect(matches('x{2,3}', 'axxb')).toBe(true);
    });

    it('agrees with RE2 on literal patterns it answers natively', () => {
        const patterns = ['g', '^a', 'b$', '^ab$', 'A\\.B', '', 'é', '😀'];
        const values = ['', 'a', 'ab', 'AB', 'a.b', 'A.B', 'xab\n', 'émile', 'x😀'];
        for (const pattern of patterns) {
            for (const options of ['', 'i']) {
                const re2 = RE2JS.compile(pattern, options ? RE2JS.CASE_INSENSITIVE : 0);
                for (const value of values) {
                    expect([pattern, options, value, matches(pattern, value, options)]).toEqual([pattern, options, value, re2.test(value)]);
                }
            }
        }
    });

    it('refuses unsupported options, over-long patterns, look-around and back-references', () => {
        expect(() => compileRegex('a', 'x')).toThrow(new UnsafeRegexError('unsupported regular expression options "x" (supported: i, m, s)'));
        expect(() => compileRegex('a'.repeat(257))).toThrow(new UnsafeRegexError('regular expression longer than 256 characters'));
        expect(() => compileRegex('(?=a)')).toThrow(UnsafeRegexError);
        expect(() => compileRegex('(a)\\1')).toThrow(UnsafeRegexError);
        expect(() => compileRegex('a'.repeat(256))).not.toThrow();
    });

    it('escapeRegex escapes every metacharacter', () => {
        const special = '\\^$.|?*+()[]{}-/';
        const escaped = escapeRegex(special);
        expect(new RegExp(`^${escaped}$`).test(special)).toBe(true);
        expect(escapeRegex('plain text')).toBe('plain text');
    });
});
