/** Rocket.Chat's AppHttpBridge: the app's outgoing HTTP requests, made for real with `fetch`. */
import type { IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';
import type { IHttpBridgeRequestInfo } from '@rocket.chat/apps-engine/server/bridges';

export class HostHttpBridge {
    async call(info: IHttpBridgeRequestInfo): Promise<IHttpResponse> {
        const { request } = info;
        let url = info.url;
        if (request.params && Object.keys(request.params).length) {
            const qs = new URLSearchParams(request.params).toString();
            url += (url.includes('?') ? '&' : '?') + qs;
        }
        const headers: Record<string, string> = { ...(request.headers || {}) };
        let body: string | undefined = request.content;
        if (request.data !== undefined) {
            body = JSON.stringify(request.data);
            if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
        }
        const res = await fetch(url, { method: String(info.method).toUpperCase(), headers, body });
        const content = await res.text();
        const responseHeaders: Record<string, string> = {};
        res.headers.forEach((value, key) => {
            responseHeaders[key] = value;
        });
        const out: IHttpResponse = { url, method: info.method, statusCode: res.status, headers: responseHeaders, content };
        try {
            out.data = JSON.parse(content) as unknown;
        } catch {
            /* not JSON */
        }
        return out;
    }
}
