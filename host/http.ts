/** Small HTTP helpers, as Express does them: body reading/parsing, replies, body checks, and the path matcher of app endpoints. */
import * as crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import * as qs from 'qs';

export class HttpError extends Error {
    constructor(
        readonly status: number,
        readonly body: unknown,
    ) {
        super(typeof body === 'string' ? body : JSON.stringify(body));
    }
}

/** Express 4's "extended" query parser. */
export function parseQuery(search: string): Record<string, unknown> {
    return qs.parse(search.replace(/^\?/, ''), { allowPrototypes: true });
}

const MAX_BODY = 50 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) {
                reject(new HttpError(413, { success: false, error: 'request entity too large' }));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

/**
 * The request body as an Express app with json/urlencoded parsers sees it:
 * JSON for application/json, qs-parsed for urlencoded, text otherwise, and
 * undefined when there is no body.
 */
export function parseBody(req: IncomingMessage, raw: Buffer): unknown {
    if (!raw.length) return undefined;
    const type = String(req.headers['content-type'] || '').toLowerCase();
    const text = raw.toString('utf8');
    if (type.includes('json')) {
        try {
            return JSON.parse(text);
        } catch (e) {
            throw new HttpError(400, { success: false, error: `Invalid JSON body: ${(e as Error).message}` });
        }
    }
    if (type.includes('application/x-www-form-urlencoded')) return qs.parse(text, { allowPrototypes: true });
    return text;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
        res.end();
        return;
    }
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers });
    res.end(payload);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
    if (res.headersSent) {
        res.end();
        return;
    }
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}

/** Express's `res.set('Content-Type', ...)`: text/*, application/json and application/javascript get `; charset=utf-8`. */
function withCharset(type: string): string {
    if (/;\s*charset\s*=/i.test(type)) return type;
    return /^text\/|^application\/(javascript|json)/i.test(type.split(';')[0].trim()) ? `${type}; charset=utf-8` : type;
}

/** Express's setCharset(type, 'utf-8'): a string body's type always says utf-8. */
function utf8(type: string): string {
    const [mime, ...params] = type.split(';').map((p) => p.trim());
    return [mime, ...params.filter((p) => !/^charset\s*=/i.test(p)), 'charset=utf-8'].join('; ');
}

/** Express's default (weak) ETag: length and SHA-1 of the body. */
function weakEtag(body: Buffer): string {
    const hash = crypto.createHash('sha1').update(body).digest('base64').substring(0, 27);
    return `W/"${body.length.toString(16)}-${hash}"`;
}

/** Express's req.fresh for a GET/HEAD answered 2xx/304: the client's If-None-Match names this ETag. */
function isFresh(req: IncomingMessage, status: number, etag: string): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if ((status < 200 || status >= 300) && status !== 304) return false;
    const noneMatch = req.headers['if-none-match'];
    if (!noneMatch || /(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(String(req.headers['cache-control'] || ''))) return false;
    if (noneMatch.trim() === '*') return true;
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    return noneMatch.split(',').some((tag) => strip(tag) === strip(etag));
}

/** What an app endpoint answers (the engine's IApiResponse). */
export interface AppResponse {
    status?: number;
    headers?: Record<string, string | number | null | undefined>;
    content?: unknown;
}

/**
 * Writes an app endpoint's `{status, headers, content}` as Rocket.Chat's
 * AppApisBridge does with Express 4: `res.set(headers); res.status(status);
 * res.send(content)`. An object becomes JSON (`application/json; charset=utf-8`
 * unless the app set a type), a string `text/html` unless typed, a Buffer
 * `application/octet-stream`; a text type gets `; charset=utf-8`; the body a
 * weak ETag, and a GET whose If-None-Match names it gets 304.
 */
export function sendAppResponse(req: IncomingMessage, res: ServerResponse, result: AppResponse | undefined): void {
    let status = Number(result?.status) || 200;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result?.headers || {})) {
        if (v === undefined || v === null) continue;
        headers[k.toLowerCase() === 'content-type' ? 'Content-Type' : k] = k.toLowerCase() === 'content-type' ? withCharset(String(v)) : String(v);
    }
    const content = result?.content;
    let body: Buffer | undefined;
    if (content === undefined) {
        body = undefined;
    } else if (typeof content === 'string' || content === null) {
        body = Buffer.from(content ?? '');
        const type = headers['Content-Type'] ?? (content === null ? undefined : 'text/html');
        if (type) headers['Content-Type'] = utf8(type);
    } else if (Buffer.isBuffer(content) || content instanceof Uint8Array) {
        body = Buffer.from(content);
        headers['Content-Type'] ??= 'application/octet-stream';
    } else {
        body = Buffer.from(JSON.stringify(content));
        headers['Content-Type'] = utf8(headers['Content-Type'] ?? 'application/json');
    }
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length' || (k.toLowerCase() === 'etag' && body !== undefined)) delete headers[k];
    if (body !== undefined) {
        headers['Content-Length'] = String(body.length);
        headers.ETag = weakEtag(body);
        if (isFresh(req, status, headers.ETag)) status = 304;
    }
    if (status === 204 || status === 304) {
        delete headers['Content-Type'];
        delete headers['Content-Length'];
        body = undefined;
    }
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
}

export function invalidParams(message: string): HttpError {
    return new HttpError(400, { success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' });
}

/** Rocket.Chat's API.v1.failure: 400 `{success: false, error, errorType?}`. */
export function failure(message: string, errorType?: string): HttpError {
    return new HttpError(400, { success: false, error: message, ...(errorType && { errorType }) });
}

export function requireObject(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParams('must be object');
    return body as Record<string, unknown>;
}

type PropType = 'string' | 'boolean' | 'object' | 'array' | 'any';

/** What a property checked as `T` holds. */
type PropValue<T extends PropType> = T extends 'string'
    ? string
    : T extends 'boolean'
      ? boolean
      : T extends 'object'
        ? Record<string, unknown>
        : T extends 'array'
          ? unknown[]
          : unknown;

/**
 * An ajv-like check of a body's properties (required ones, types, no
 * others), with Rocket.Chat's messages; answers the body typed as checked.
 */
export function checkProps<S extends Record<string, PropType>>(
    body: Record<string, unknown>,
    spec: S,
    required: Array<keyof S & string>,
    where = '',
): { [K in keyof S]?: PropValue<S[K]> } {
    for (const key of required) {
        if (body[key] === undefined) throw invalidParams(`must have required property '${key}'`);
    }
    for (const [key, value] of Object.entries(body)) {
        const type = spec[key];
        if (!type) throw invalidParams(`${where}must NOT have additional properties`);
        if (value === undefined || type === 'any') continue;
        const ok =
            type === 'array'
                ? Array.isArray(value)
                : type === 'object'
                  ? typeof value === 'object' && value !== null && !Array.isArray(value)
                  : typeof value === type;
        if (!ok) throw invalidParams(`${where}${key} must be ${type}`);
    }
    return body as { [K in keyof S]?: PropValue<S[K]> };
}

export function safeDecode(segment: string): string {
    try {
        return decodeURIComponent(segment);
    } catch {
        throw new HttpError(400, { success: false, error: `Malformed URL segment "${segment}"` });
    }
}

/** Express 4 (path-to-regexp 0.1) compatible matcher for `a/:b/c` paths. */
export function compilePath(pattern: string): (path: string) => Record<string, string> | undefined {
    const keys: string[] = [];
    let source = pattern.trim().replace(/^\/+/, '');
    source = source
        .split('/')
        .map((segment) => {
            const m = segment.match(/^:([A-Za-z0-9_]+)(\?)?$/);
            if (m) {
                keys.push(m[1]);
                return m[2] ? '(?:([^/]+?))?' : '([^/]+?)';
            }
            if (segment === '*') {
                keys.push(String(keys.length));
                return '(.*)';
            }
            return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
    const re = new RegExp(`^/?${source}/?$`, 'i');
    return (path: string) => {
        const m = re.exec(path);
        if (!m) return undefined;
        const params: Record<string, string> = {};
        keys.forEach((key, i) => {
            const value = m[i + 1];
            if (value === undefined) return;
            try {
                params[key] = decodeURIComponent(value);
            } catch {
                params[key] = value;
            }
        });
        return params;
    };
}
