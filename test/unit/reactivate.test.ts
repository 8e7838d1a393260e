/// <reference types="jest" />
/**
 * Reactivation's pure core: the ids of a command, the order of its checks,
 * the server's answers, and the replies (never the token).
 */
import { translator } from '../../src/i18n';
import { decide, decisionText, MAX_IDS, parseIds, reactivationConfigFromValues, readAnswer, reportText, Target } from '../../src/seats/reactivate';
import { SETTINGS } from '../../src/settings';

const t = translator('en');
const admin = { roles: ['user', 'admin'] };
const config = { enabled: true, apiUserId: 'admin', apiToken: 'secret-token-123' };
const target = (id: string, active = false): Target => ({ id, username: `name-${id}`, active });
const known = new Map(['a', 'b', 'c'].map((id) => [id, target(id)]));

describe('parseIds', () => {
    it('takes ids separated by spaces, commas or semicolons, drops quotes and repeats', () => {
        expect(parseIds(['a', 'b,c;', '"d"', 'a', "'e'", ',,'])).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(parseIds(['a\nb'])).toEqual(['a', 'b']);
        expect(parseIds([])).toEqual([]);
    });
});

describe('decide', () => {
    it('refuses non-admins first, whatever else is wrong', () => {
        expect(decide({ roles: ['user'] }, ['zzz'], { ...config, enabled: false }, new Map())).toEqual({ kind: 'not-admin' });
        expect(decide({}, ['a'], config, known)).toEqual({ kind: 'not-admin' });
    });

    it('then the switch, then the ids: none, too many, unknown ones', () => {
        expect(decide(admin, ['a'], { ...config, enabled: false }, known)).toEqual({ kind: 'disabled' });
        expect(decide(admin, [], config, known)).toEqual({ kind: 'usage' });
        const many = Array.from({ length: MAX_IDS + 1 }, (_, i) => `id${i}`);
        expect(decide(admin, many, config, new Map(many.map((id) => [id, target(id)])))).toEqual({ kind: 'too-many', count: MAX_IDS + 1 });
        expect(decide(admin, ['a', 'x', 'b', 'y'], config, known)).toEqual({ kind: 'unknown', ids: ['x', 'y'] });
    });

    it('without both credentials: the users to reactivate by hand; with them: reactivate, in the order given', () => {
        expect(decide(admin, ['b', 'a'], { ...config, apiToken: '' }, known)).toEqual({ kind: 'no-credentials', targets: [target('b'), target('a')] });
        expect(decide(admin, ['b'], { ...config, apiUserId: '' }, known).kind).toBe('no-credentials');
        expect(decide(admin, ['b', 'a'], config, known)).toEqual({ kind: 'reactivate', targets: [target('b'), target('a')] });
    });
});

describe('settings', () => {
    it('the switch is on only when true; the credentials are trimmed text', () => {
        expect(reactivationConfigFromValues(new Map())).toEqual({ enabled: false, apiUserId: '', apiToken: '' });
        const values = new Map<string, unknown>([
            ['deactivation_enabled', 'true'],
            ['server_api_user_id', ' admin '],
            ['server_api_token', 42],
        ]);
        expect(reactivationConfigFromValues(values)).toEqual({ enabled: false, apiUserId: 'admin', apiToken: '' });
    });

    it('the token is a password setting; every setting id is declared once', () => {
        expect(SETTINGS.find((s) => s.id === 'server_api_token')?.type).toBe('password');
        expect(SETTINGS.find((s) => s.id === 'server_api_user_id')?.type).toBe('string');
        expect(SETTINGS.find((s) => s.id === 'deactivation_enabled')).toMatchObject({ type: 'boolean', packageValue: false });
        const ids = SETTINGS.map((s) => s.id);
        expect(ids.length).toBe(new Set(ids).size);
    });
});

describe("the server's answer", () => {
    it('done only on 200 with success; 401 is the credentials; otherwise the server’s own error', () => {
        expect(readAnswer({ statusCode: 200, data: { user: { _id: 'a', active: true }, success: true } })).toEqual({ ok: true });
        expect(readAnswer({ statusCode: 200, data: { success: false } })).toEqual({ ok: false, reason: 'HTTP 200' });
        expect(readAnswer({ statusCode: 401, data: { status: 'error', message: 'You must be logged in to do this.' } })).toEqual({
            ok: false,
            reason: 'credentials',
        });
        expect(readAnswer({ statusCode: 400, data: { success: false, error: 'Cannot change federated users status [error-user-is-federated]' } })).toEqual({
            ok: false,
            reason: 'HTTP 400: Cannot change federated users status [error-user-is-federated]',
        });
        expect(readAnswer({ statusCode: 403, data: { success: false, message: 'forbidden' } })).toEqual({ ok: false, reason: 'HTTP 403: forbidden' });
        expect(readAnswer({ statusCode: 502, content: '<html>' })).toEqual({ ok: false, reason: 'HTTP 502' });
    });
});

describe('replies', () => {
    it('name the setting to turn on, the unknown ids, the credentials to set, and the users to reactivate by hand', () => {
        expect(decisionText({ kind: 'disabled' }, t)).toContain('`deactivation_enabled`');
        expect(decisionText({ kind: 'unknown', ids: ['x'] }, t)).toBe(
            'No user has the id `x`, so nobody was reactivated. Check the id and run the command again.',
        );
        expect(decisionText({ kind: 'unknown', ids: ['x', 'y'] }, t)).toContain('`x`, `y` (2)');
        const manual = decisionText({ kind: 'no-credentials', targets: [target('a'), target('b')] }, t);
        expect(manual).toContain('`server_api_user_id`');
        expect(manual).toContain('`server_api_token`');
        expect(manual.split('\n').slice(1)).toEqual(['• @name-a (`a`)', '• @name-b (`b`)']);
        expect(decisionText({ kind: 'not-admin' }, t)).toBe('Only workspace admins can reactivate users. Nothing was changed.');
        expect(translator('de')('reactivate_error_admin_only')).not.toBe('reactivate_error_admin_only');
    });

    it('the report: counts, then one line per user with the reason of a failure', () => {
        const text = reportText(
            [
                { target: target('a'), result: 'reactivated' },
                { target: target('b', true), result: 'already-active' },
                { target: target('c'), result: 'failed', reason: 'credentials' },
                { target: target('d'), result: 'failed', reason: 'HTTP 400: nope' },
            ],
            t,
        );
        expect(text.split('\n')).toEqual([
            'Reactivation: 1 of 4 reactivated, 2 failed.',
            '• @name-a (`a`): reactivated',
            '• @name-b (`b`): already active, nothing to do',
            '• @name-c (`c`): not reactivated (the server refused the credentials: check `server_api_user_id` and the token)',
            '• @name-d (`d`): not reactivated (HTTP 400: nope)',
        ]);
        expect(text).not.toContain(config.apiToken);
    });
});
