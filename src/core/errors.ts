/** What every handler returns: an HTTP status and a JSON body. */
export interface ApiResponse {
    status: number;
    content: Record<string, unknown>;
}

/**
 * A refusal with Rocket.Chat's documented status and body. Thrown anywhere in
 * the core and turned into the response by `respond`.
 */
export class ApiError extends Error {
    constructor(
        public readonly status: number,
        public readonly body: Record<string, unknown>,
    ) {
        super(String(body.error));
    }
}

const LOGIN_REQUIRED = 'You must be logged in to do this.';

export const unauthenticated = (): ApiError => new ApiError(401, { success: false, status: 'error', message: LOGIN_REQUIRED, error: LOGIN_REQUIRED });

/** The route's own permission is missing. */
export const missingPermission = (): ApiError =>
    new ApiError(403, { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' });

/** Any other refusal: the view-outside-room gate, the livechat type permission, admin-only endpoints. */
export const unauthorized = (): ApiError => new ApiError(403, { success: false, error: 'unauthorized' });

export const invalidParams = (message: string): ApiError =>
    new ApiError(400, { success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' });

type JsonQueryError = 'error-invalid-sort' | 'error-invalid-query' | 'error-invalid-fields';

/** The errors of Rocket.Chat's `parseJsonQuery` helper. */
export const invalidJsonQuery = (errorType: JsonQueryError, message: string): ApiError =>
    new ApiError(400, { success: false, error: `${message} [${errorType}]`, errorType, details: { helperMethod: 'parseJsonQuery' } });

/**
 * A raw `sort`/`fields`/`query` parameter as Rocket.Chat quotes it in its
 * errors: the text verbatim (`"{"name":"asc"}"`, not JSON-escaped); a value the
 * query parser turned into an array or object is shown as JSON.
 */
export function rawText(raw: unknown): string {
    return typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
}

export const invalidSort = (raw: unknown): ApiError => invalidJsonQuery('error-invalid-sort', `Invalid sort parameter provided: "${rawText(raw)}"`);

export const invalidLivechatType = (): ApiError => new ApiError(400, { success: false, error: 'Invalid type' });

/** Runs a handler and never lets anything but a documented JSON body out. */
export function respond(handler: () => ApiResponse, onUnexpected?: (error: unknown) => void): ApiResponse {
    try {
        return handler();
    } catch (error) {
        if (error instanceof ApiError) {
            return { status: error.status, content: error.body };
        }
        onUnexpected?.(error);
        return { status: 500, content: { success: false, error: 'Internal error while listing users [error-internal]' } };
    }
}
