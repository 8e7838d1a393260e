/// <reference types="jest" />
/**
 * Every example in README.md and docs/*.md that shows a request and its
 * answer (a `sh` block with one curl line, right followed by a `json` block)
 * is sent to the demo workspace `npm start` runs, and must answer what the
 * page says. Dates, which move with the day the workspace is generated, and
 * the timings of directory.info need only be of the same kind.
 */
import * as fs from 'fs';
import * as path from 'path';

import { generateDemoWorkspace } from '../../host';
import { useHost } from './support';

const root = path.resolve(__dirname, '..', '..');
const pages = [
    'README.md',
    ...fs
        .readdirSync(path.join(root, 'docs'))
        .filter((file) => file.endsWith('.md'))
        .map((file) => `docs/${file}`),
];

/** The shell variables the pages set up once (see docs/endpoints.md). */
const CALLERS: Record<string, string> = { ADMIN: 'admin', ALICE: 'alice', MANAGER: 'manager', AGENT: 'agent' };
/** directory.info's timings and ids, which differ from run to run. */
const VOLATILE = new Set(['ageMs', 'durationMs', 'loopHeldMs', 'longestGapMs', 'longestLookMs', 'builtAt', 'instance', 'id', 'builder']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Example {
    page: string;
    line: number;
    curl: string;
    answer: unknown;
}

function examples(): Example[] {
    const found: Example[] = [];
    for (const page of pages) {
        const text = fs.readFileSync(path.join(root, page), 'utf8');
        const pattern = /```sh\n((?:(?!```)[\s\S])*?)```\n```json\n((?:(?!```)[\s\S])*?)```/g;
        for (const match of text.matchAll(pattern)) {
            const curl = match[1]
                .replace(/\\\n\s*/g, ' ')
                .split('\n')
                .filter((line) => line.startsWith('curl '));
            if (curl.length !== 1) throw new Error(`${page}: an example's sh block must hold exactly one curl line`);
            const line = text.slice(0, match.index).split('\n').length;
            found.push({ page, line, curl: curl[0], answer: JSON.parse(match[2]) as unknown });
        }
    }
    return found;
}

/** Splits a shell line into words, as the shell would for the quoting the pages use. */
function words(line: string): string[] {
    const out: string[] = [];
    for (const match of line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
        out.push(match[1] ?? (match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]));
    }
    return out;
}

interface Request {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
}

/** The request a curl line of the pages sends, to the workspace at `url` instead of npm start's default address. */
function toRequest(curl: string, url: string, appId: string): Request {
    const base = `${url}/api/apps/public/${appId}`;
    const request: Request = { method: 'GET', url: '', headers: {} };
    const header = (value: string) => {
        const colon = value.indexOf(':');
        request.headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
    };
    const list = words(curl).slice(1);
    for (let i = 0; i < list.length; i++) {
        const word = list[i];
        const caller = /^\$\{(\w+)\[@\]\}$/.exec(word);
        if (caller) {
            const id = CALLERS[caller[1]];
            if (!id) throw new Error(`unknown caller variable ${word}`);
            header(`X-User-Id: ${id}`);
            header(`X-Auth-Token: ${id}-token`);
        } else if (word === '-H') header(list[++i]);
        else if (word === '-d') {
            request.body = list[++i];
            request.method = request.method === 'GET' ? 'POST' : request.method;
        } else if (word === '-X') request.method = list[++i];
        else if (/^-[sgi]+$/.test(word)) continue;
        else if (word.startsWith('-')) throw new Error(`curl option ${word} is not understood here`);
        else request.url = word.replace('$BASE', base).replace('http://127.0.0.1:3000', url);
    }
    if (!request.url.startsWith(url)) throw new Error(`the URL of "${curl}" is not the workspace's`);
    return request;
}

/** The answer, with what moves from day to day (dates, timings) taken from the documented one when of the same kind. */
function settle(documented: unknown, actual: unknown, key = ''): unknown {
    if (typeof documented === 'string' && typeof actual === 'string' && ISO_DATE.test(documented) && ISO_DATE.test(actual)) return documented;
    if (VOLATILE.has(key) && typeof documented === typeof actual) return documented;
    if (Array.isArray(documented) && Array.isArray(actual)) return actual.map((item, i) => settle(documented[i], item));
    if (documented && actual && typeof documented === 'object' && typeof actual === 'object' && !Array.isArray(actual)) {
        const doc = documented as Record<string, unknown>;
        return Object.fromEntries(Object.entries(actual as Record<string, unknown>).map(([name, value]) => [name, settle(doc[name], value, name)]));
    }
    return actual;
}

const client = useHost(() => generateDemoWorkspace());
const all = examples();

describe('the documentation’s examples, against the demo workspace', () => {
    it('are found on the pages', () => {
        expect(all.length).toBeGreaterThanOrEqual(8);
    });

    it.each(all.map((example) => [`${example.page}:${example.line}`, example]))('%s answers as shown', async (_where, example) => {
        const { host } = client();
        const request = toRequest(example.curl, host.url, host.appId);
        const settingsUrl = `${host.url}/api/apps/${host.appId}/settings`;
        const before = request.url === settingsUrl && request.method === 'POST' ? await client().raw(settingsUrl, { headers: request.headers }) : undefined;
        const reply = await client().raw(request.url, { method: request.method, headers: request.headers, body: request.body });
        try {
            expect(settle(example.answer, reply.body)).toEqual(example.answer);
        } finally {
            if (before) {
                // Put the settings back for the next examples.
                const settings = Object.values((before.body as { settings: Record<string, { id: string; value: unknown; packageValue: unknown }> }).settings);
                await client().raw(settingsUrl, {
                    method: 'POST',
                    headers: { ...request.headers, 'Content-Type': 'application/json' },
                    body: JSON.stringify({ settings: settings.map(({ id, value, packageValue }) => ({ id, value: value ?? packageValue })) }),
                });
            }
        }
    });
});
