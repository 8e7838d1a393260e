/**
 * Data (names, usernames, emails, roles, what the user typed) written into
 * `mrkdwn` so that Rocket.Chat's message parser reads it back exactly.
 *
 * That parser has its own rules: a backslash escapes only `* _ ~ ` # .`, and
 * only outside bold text; `ada_20` and `lars_356@example.com` need no escape
 * (an escape there would show, or split the address). So each helper escapes
 * only what the parser would otherwise read as markup. The unit tests check
 * the output with the parser itself.
 */

/** Emails and web addresses: the parser links them with their own text as label, so they are left whole. */
const AUTOLINK = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>]+|[^\s@<>()[\]*~`]+@[^\s@<>()[\]*~`]+\.[a-z]{2,}/gi;
/** A markdown link (`[a](b)`, `<b|a>`) would replace the text with its label; escaping the dots of its address breaks it. */
const LINK_SYNTAX = /\]\(|<[^>]*\|/;
const ALNUM = /[A-Za-z0-9]/;

function escapeRun(run: string, breakLinks: boolean): string {
    let out = '';
    for (let i = 0; i < run.length; i++) {
        const char = run[i];
        const previous = i > 0 ? run[i - 1] : '';
        const needsEscape =
            char === '*' ||
            char === '~' ||
            char === '`' ||
            char === '#' ||
            // `word_` is plain text to the parser; a `_` anywhere else may open italics.
            (char === '_' && !ALNUM.test(previous)) ||
            // A backslash of the data must not escape what follows it; nor may a link's address parse.
            (char === '.' && (previous === '\\' || (breakLinks && ALNUM.test(run[i + 1] ?? ''))));
        out += needsEscape ? `\\${char}` : char;
    }
    return out;
}

/** Text as it is, in running (not bold) mrkdwn. Line breaks become spaces. */
export function text(value: string): string {
    const flat = value.replace(/[\r\n]+/g, ' ');
    if (LINK_SYNTAX.test(flat)) {
        return escapeRun(flat, true);
    }
    let out = '';
    let from = 0;
    for (const match of flat.matchAll(AUTOLINK)) {
        const at = match.index ?? 0;
        out += escapeRun(flat.slice(from, at), false) + match[0];
        from = at + match[0].length;
    }
    return out + escapeRun(flat.slice(from), false);
}

/** Inside `*bold*` the parser knows no escapes: text with markup characters is written plain instead. */
const UNSAFE_IN_BOLD = /[*_~`[\]<>\\\r\n]|^\s|\s$/;

export function strong(value: string): string {
    return value === '' || UNSAFE_IN_BOLD.test(value) ? text(value) : `*${value}*`;
}

/** `inline code`, unless the value holds a backtick or a line break. */
export function code(value: string): string {
    return value === '' || /[`\r\n]/.test(value) ? text(value) : `\`${value}\``;
}
