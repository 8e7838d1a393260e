import { RE2JS } from 're2js';

/**
 * Regular expressions that cannot run in super-linear time, whatever the
 * pattern. Literal patterns (the common case: `{"$regex": "g"}`) use the
 * native engine, which is linear for them and fast; anything else runs on
 * RE2 (re2js), which is linear by construction. RE2 has no look-around or
 * back-references: such patterns are refused, not run.
 */

export type StringTest = (value: string) => boolean;

const MAX_PATTERN_LENGTH = 256;
const SPECIAL = /[\\^$.|?*+()[\]{}]/;

export class UnsafeRegexError extends Error {}

/** `options` are MongoDB's `$options` letters; `i`, `m` and `s` are supported. */
export function compileRegex(pattern: string, options = ''): StringTest {
    if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new UnsafeRegexError(`regular expression longer than ${MAX_PATTERN_LENGTH} characters`);
    }
    if (!/^[ims]*$/.test(options)) {
        throw new UnsafeRegexError(`unsupported regular expression options "${options}" (supported: i, m, s)`);
    }
    const literal = asLiteral(pattern);
    if (literal && !options.includes('m')) {
        const native = new RegExp(`${literal.start ? '^' : ''}${escapeRegex(literal.text)}${literal.end ? '$' : ''}`, options.includes('i') ? 'i' : '');
        return (value) => native.test(value);
    }
    let flags = 0;
    if (options.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
    if (options.includes('m')) flags |= RE2JS.MULTILINE;
    if (options.includes('s')) flags |= RE2JS.DOTALL;
    let compiled: RE2JS;
    try {
        compiled = RE2JS.compile(pattern, flags);
    } catch (error) {
        throw new UnsafeRegexError(`invalid regular expression /${pattern}/: ${(error as Error).message}`);
    }
    // test() answers on RE2's DFA (linear, memory-bounded, NFA fallback) without a Matcher's capture bookkeeping.
    return (value) => compiled.test(value);
}

/** A pattern of plain characters, optionally anchored, with metacharacters only as `\.`-style escapes. */
function asLiteral(pattern: string): { text: string; start: boolean; end: boolean } | undefined {
    let body = pattern;
    const start = body.startsWith('^');
    if (start) body = body.slice(1);
    const end = body.endsWith('$') && !isEscapedAt(body, body.length - 1);
    if (end) body = body.slice(0, -1);
    let text = '';
    for (let i = 0; i < body.length; i++) {
        const char = body[i];
        if (char === '\\') {
            const next = body[i + 1];
            if (next === undefined || /[A-Za-z0-9]/.test(next)) {
                return undefined; // \d, \b, \1 ... are not literals
            }
            text += next;
            i++;
        } else if (SPECIAL.test(char)) {
            return undefined;
        } else {
            text += char;
        }
    }
    return { text, start, end };
}

function isEscapedAt(text: string, index: number): boolean {
    let backslashes = 0;
    for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) backslashes++;
    return backslashes % 2 === 1;
}

export function escapeRegex(text: string): string {
    return text.replace(/[\\^$.|?*+()[\]{}\-/]/g, '\\$&');
}
