// Local stand-in for `jsr:@std/cli/parse-args` (the JSR registry is not
// reachable offline). Implements the subset of `parseArgs` the Apps-Engine
// Deno runtime relies on: `--key value`, `--key=value`, `--flag`, `--no-flag`,
// short flags (`-a`, `-abc`, `-n 5`), `--` terminator, numeric coercion and
// positional arguments collected in `_`.

export type Args = { _: Array<string | number>; [key: string]: unknown };

export interface ParseOptions {
    boolean?: string | string[] | true;
    string?: string | string[];
    default?: Record<string, unknown>;
    stopEarly?: boolean;
    '--'?: boolean;
}

const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;
const HEX_RE = /^0x[0-9a-f]+$/i;

function coerce(value: string, key: string, strings: Set<string>): string | number {
    if (strings.has(key)) return value;
    if (HEX_RE.test(value) || NUMBER_RE.test(value)) return Number(value);
    return value;
}

function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
    const parts = key.split('.');
    let target = out;
    for (let i = 0; i < parts.length - 1; i++) {
        const p = parts[i];
        if (typeof target[p] !== 'object' || target[p] === null) target[p] = {};
        target = target[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    const prev = target[last];
    if (prev === undefined || typeof prev === 'boolean') {
        target[last] = value;
    } else if (Array.isArray(prev)) {
        prev.push(value);
    } else {
        target[last] = [prev, value];
    }
}

export function parseArgs(args: string[], options: ParseOptions = {}): Args {
    const toSet = (v: string | string[] | true | undefined) => new Set(v === undefined || v === true ? [] : Array.isArray(v) ? v : [v]);
    const booleans = toSet(options.boolean);
    const allBoolean = options.boolean === true;
    const strings = toSet(options.string);
    const out: Args = { _: [] };
    for (const [k, v] of Object.entries(options.default ?? {})) out[k] = v;
    for (const b of booleans) if (out[b] === undefined) out[b] = false;

    const isFlag = (s: string | undefined) => s !== undefined && /^-/.test(s) && !NUMBER_RE.test(s);
    let i = 0;
    for (; i < args.length; i++) {
        const arg = args[i];
        if (arg === '--') {
            i++;
            break;
        }
        let m: RegExpMatchArray | null;
        if ((m = arg.match(/^--([^=]+)=([\s\S]*)$/))) {
            const key = m[1];
            setKey(out, key, booleans.has(key) ? m[2] !== 'false' : coerce(m[2], key, strings));
        } else if ((m = arg.match(/^--no-(.+)$/)) && !strings.has(m[1])) {
            setKey(out, m[1], false);
        } else if ((m = arg.match(/^--(.+)$/))) {
            const key = m[1];
            const next = args[i + 1];
            if (booleans.has(key) || allBoolean) {
                if (next === 'true' || next === 'false') {
                    setKey(out, key, next === 'true');
                    i++;
                } else {
                    setKey(out, key, true);
                }
            } else if (next !== undefined && !isFlag(next)) {
                setKey(out, key, coerce(next, key, strings));
                i++;
            } else {
                setKey(out, key, strings.has(key) ? '' : true);
            }
        } else if (/^-[^-]+/.test(arg) && !NUMBER_RE.test(arg)) {
            const letters = arg.slice(1);
            for (let j = 0; j < letters.length; j++) {
                const key = letters[j];
                const rest = letters.slice(j + 1);
                if (rest.startsWith('=')) {
                    setKey(out, key, coerce(rest.slice(1), key, strings));
                    break;
                }
                if (rest && /^[-+]?\d/.test(rest) && !booleans.has(key)) {
                    setKey(out, key, coerce(rest, key, strings));
                    break;
                }
                if (j === letters.length - 1) {
                    const next = args[i + 1];
                    if (next !== undefined && !isFlag(next) && !booleans.has(key) && !allBoolean) {
                        setKey(out, key, coerce(next, key, strings));
                        i++;
                    } else {
                        setKey(out, key, strings.has(key) ? '' : true);
                    }
                } else {
                    setKey(out, key, true);
                }
            }
        } else {
            out._.push(strings.has('_') ? arg : coerce(arg, '_', strings));
            if (options.stopEarly) {
                i++;
                break;
            }
        }
    }
    const rest = args.slice(i);
    if (options['--']) {
        out['--'] = rest;
    } else {
        out._.push(...rest);
    }
    return out;
}
