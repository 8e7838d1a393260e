import { ApiError } from '../core/errors';
import { DirectoryUnavailable } from '../DirectoryService';
import type { Translate } from '../i18n';
import { code } from './mrkdwn';

/**
 * Why the chat did not do what was asked, by kind, so that the user reads the
 * right thing: a usage error says what was wrong and points to help, a
 * permission error says the caller may not, and nothing more.
 */

/** A problem with what the user typed: an i18n key and its values (what was typed, shown as code). */
export class CommandError extends Error {
    constructor(
        public readonly key: string,
        public readonly values: Record<string, string> = {},
    ) {
        super(key);
    }
}

/** The caller may not list these users, or use this filter. */
export class PermissionError extends Error {
    constructor(
        public readonly key: string = 'not_allowed',
        public readonly values: Record<string, string> = {},
    ) {
        super(key);
    }
}

/** A refusal of the endpoints' core in the chat's terms: a 401 or 403 stays a permission error. */
export function fromApiError(error: ApiError): PermissionError | CommandError {
    return error.status === 401 || error.status === 403 ? new PermissionError() : new CommandError('command_error_usage');
}

/** What the user reads about a failure; undefined for an unexpected one (which the caller logs, then says the directory is unavailable). */
export function failureText(error: unknown, t: Translate): string | undefined {
    if (error instanceof ApiError) {
        return failureText(fromApiError(error), t);
    }
    if (error instanceof DirectoryUnavailable) {
        return t('unavailable');
    }
    if (error instanceof PermissionError) {
        return t(error.key, asShown(error.values));
    }
    if (error instanceof CommandError) {
        const hint = error.key === 'command_error_usage' ? '' : `\n${t('command_error_usage')}`;
        return `${t(error.key, asShown(error.values))}${hint}`;
    }
    return undefined;
}

/** What the user typed is shown as code; numbers as they are. */
function asShown(values: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, /^\d+$/.test(value) ? value : code(value)]));
}
