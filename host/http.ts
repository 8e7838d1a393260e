/** Small HTTP helpers: body reading/parsing (as Express's parsers do) and replies. */
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
    return qs.parse(search.replace(/^\?/, ''), { allowPrototypes: true }) as Record<string, unknown>;
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

/**
 * Writes an app endpoint's `{status, headers, content}` as Express's
 * `res.set(headers); res.status(status); res.send(content)` does.
 */
export function sendAppResponse(res: ServerResponse, result: { status?: number; headers?: Record<string, unknown>; content?: unknown } | undefined): void {
    const status = Number(result?.status) || 200;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result?.headers || {})) {
        if (v !== undefined && v !== null) headers[k] = String(v);
    }
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    const content = result?.content;
    let body: Buffer;
    if (content === undefined || content === null) {
        body = Buffer.alloc(0);
    } else if (typeof content === 'string') {
        body = Buffer.from(content);
        if (!hasType) headers['Content-Type'] = 'text/html; charset=utf-8';
    } else if (Buffer.isBuffer(content) || content instanceof Uint8Array) {
        body = Buffer.from(content);
        if (!hasType) headers['Content-Type'] = 'application/octet-stream';
    } else {
        body = Buffer.from(JSON.stringify(content));
        if (!hasType) headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') delete headers[k];
    headers['Content-Length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(status === 204 || status === 304 ? undefined : body);
}
