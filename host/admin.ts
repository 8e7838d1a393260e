/**
 * The admin actions that change users, with the events Rocket.Chat fires for
 * them, on the instance that handled the request only (see host/README.md,
 * "Admin actions and the events they fire"). Each changes the shared
 * workspace, fires through that instance's engine, and answers once the app
 * has handled the event.
 */
import * as crypto from 'crypto';

import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';

import { checkDeactivation, MeteorError, setUserActiveStatus } from './activeStatus';
import { publicUser, StoredUser, toAppUser } from './convert';
import { checkProps, failure, HttpError, invalidParams, requireObject } from './http';
import type { Instance } from './instance';
import { copy, randomId } from './documents';
import type { WorkspaceState } from './state';

type AdminAction = (admin: StoredUser, body: unknown) => Promise<unknown>;

const INVALID_USER = 'The required "userId" or "username" param provided does not match any users [error-invalid-user]';
const NO_ADMIN = 'Leaving the app without an admin is not allowed [error-action-not-allowed]';

const now = () => new Date().toISOString();

/** Runs a change that may throw a Meteor.Error, answered as Rocket.Chat's REST API answers one (400 with `error`, `errorType`, `details`). */
function meteor<T>(change: () => T): T {
    try {
        return change();
    } catch (e) {
        if (!(e instanceof MeteorError)) throw e;
        throw new HttpError(400, { success: false, error: e.message, errorType: e.error, ...(e.details !== undefined && { details: e.details }) });
    }
}

/** The admin routes (`/api/v1/users.*`, `/host/login`) of one instance. */
export function adminActions(instance: Instance, state: WorkspaceState): Record<string, AdminAction> {
    const fire = async (event: AppInterface, payload: unknown): Promise<void> => {
        try {
            await instance.fire(event, payload);
        } catch (e) {
            throw failure((e as Error)?.message || String(e));
        }
    };

    const findTarget = (body: Record<string, unknown>): StoredUser => {
        const user =
            typeof body.userId === 'string'
                ? state.getUser(body.userId)
                : typeof body.username === 'string'
                  ? state.getUserByUsername(body.username)
                  : undefined;
        if (!user) throw failure(INVALID_USER, 'error-invalid-user');
        return user;
    };

    const activeAdmins = () => [...state.users.values()].filter((u) => u.active !== false && u.roles?.includes('admin'));

    /** users.create: joins the default channel (GENERAL) unless told not to; IPostUserCreated. */
    async function usersCreate(admin: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(
            requireObject(input),
            {
                email: 'string',
                name: 'string',
                password: 'string',
                username: 'string',
                active: 'boolean',
                bio: 'string',
                nickname: 'string',
                statusText: 'string',
                roles: 'array',
                joinDefaultChannels: 'boolean',
                requirePasswordChange: 'boolean',
                setRandomPassword: 'boolean',
                sendWelcomeEmail: 'boolean',
                verified: 'boolean',
                customFields: 'object',
                fields: 'string',
                // host extensions
                authToken: 'string',
                type: 'string',
                utcOffset: 'any',
            },
            ['email', 'name', 'password', 'username'],
        );
        const username = String(body.username);
        if (!/^[0-9a-zA-Z-_.]+$/.test(username))
            throw failure(
                `${username} is not a valid username, use only letters, numbers, dots, hyphens and underscores [error-input-is-not-a-valid-field]`,
                'error-input-is-not-a-valid-field',
            );
        if (state.isUsernameTaken(username)) throw failure(`${username} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
        const email = String(body.email);
        if (!/^\S+@\S+\.\S+$/.test(email)) throw failure(`Invalid email ${email} [error-invalid-email]`, 'error-invalid-email');
        if (state.isEmailTaken(email)) throw failure(`${email} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
        if (body.roles && !body.roles.every((r) => typeof r === 'string')) throw invalidParams('roles must be array of strings');
        const createdAt = now();
        const user: StoredUser = {
            _id: randomId(),
            createdAt,
            username,
            emails: [{ address: email, verified: body.verified === true }],
            type: typeof body.type === 'string' ? body.type : 'user',
            status: 'offline',
            active: body.active !== false,
            _updatedAt: createdAt,
            roles: body.roles ?? ['user'],
            name: String(body.name),
            ...(body.requirePasswordChange !== undefined && { requirePasswordChange: body.requirePasswordChange }),
            ...(body.statusText !== undefined && { statusText: body.statusText }),
            ...(body.bio !== undefined && { bio: body.bio }),
            ...(body.nickname !== undefined && { nickname: body.nickname }),
            ...(body.customFields !== undefined && { customFields: body.customFields }),
            ...(typeof body.utcOffset === 'number' && { utcOffset: body.utcOffset }),
            ...(body.authToken !== undefined && { authToken: body.authToken }),
        };
        state.insertUser(user);
        if (body.joinDefaultChannels !== false && state.rooms.has('GENERAL')) state.addMember('GENERAL', user._id);
        await fire(AppInterface.IPostUserCreated, { user: toAppUser(user), performedBy: toAppUser(admin) });
        return { user: publicUser(user), success: true };
    }

    /**
     * users.update: Rocket.Chat saves the user and fires IPostUserUpdated
     * (awaited) first, and applies `active` only after that: the event's user
     * still has the previous `isEnabled`.
     */
    async function usersUpdate(admin: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(requireObject(input), { userId: 'string', data: 'object', confirmRelinquish: 'boolean' }, ['userId', 'data']);
        const data = checkProps(
            body.data!,
            {
                email: 'string',
                name: 'string',
                password: 'string',
                username: 'string',
                bio: 'string',
                nickname: 'string',
                statusText: 'string',
                active: 'boolean',
                roles: 'array',
                joinDefaultChannels: 'boolean',
                requirePasswordChange: 'boolean',
                sendWelcomeEmail: 'boolean',
                verified: 'boolean',
                customFields: 'object',
                setRandomPassword: 'boolean',
                // host extensions
                authToken: 'string',
                type: 'string',
                utcOffset: 'any',
                freeSwitchExtension: 'string',
            },
            [],
            'data/',
        );
        const previous = findTarget(body);
        const next = copy(previous);
        if (data.username !== undefined && data.username !== previous.username) {
            const username = data.username;
            if (!/^[0-9a-zA-Z-_.]+$/.test(username))
                throw failure(`${username} is not a valid username [error-input-is-not-a-valid-field]`, 'error-input-is-not-a-valid-field');
            if (state.isUsernameTaken(username, previous._id))
                throw failure(`${username} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
            next.username = username;
        }
        if (data.email !== undefined) {
            const email = data.email;
            if (state.isEmailTaken(email, previous._id)) throw failure(`${email} is already in use :( [error-field-unavailable]`, 'error-field-unavailable');
            if (next.emails?.[0]?.address !== email) next.emails = [{ address: email, verified: false }, ...(next.emails || []).slice(1)];
        }
        if (typeof data.verified === 'boolean' && next.emails?.length) next.emails[0].verified = data.verified;
        if (data.name !== undefined) next.name = data.name;
        if (data.statusText !== undefined) next.statusText = data.statusText;
        if (data.bio !== undefined) next.bio = data.bio;
        if (data.nickname !== undefined) (next as unknown as Record<string, unknown>).nickname = data.nickname;
        if (data.roles !== undefined) {
            if (!data.roles.every((r) => typeof r === 'string')) throw invalidParams('data/roles must be array of strings');
            if (previous.roles?.includes('admin') && !data.roles.includes('admin') && activeAdmins().length === 1 && activeAdmins()[0]._id === previous._id) {
                throw failure(NO_ADMIN, 'error-action-not-allowed');
            }
            next.roles = [...data.roles];
        }
        if (data.requirePasswordChange !== undefined) (next as unknown as Record<string, unknown>).requirePasswordChange = data.requirePasswordChange;
        if (data.customFields !== undefined) next.customFields = { ...(next.customFields || {}), ...data.customFields };
        if (data.authToken !== undefined) next.authToken = data.authToken;
        if (data.type !== undefined) next.type = data.type;
        if (data.utcOffset !== undefined) next.utcOffset = Number(data.utcOffset);
        if (data.freeSwitchExtension !== undefined) next.freeSwitchExtension = data.freeSwitchExtension;
        const activeChange = typeof data.active === 'boolean' && data.active !== (previous.active !== false);
        if (activeChange && !data.active) meteor(() => checkDeactivation(state, previous, body.confirmRelinquish === true));
        next._updatedAt = now();
        state.replaceUser(next);
        await fire(AppInterface.IPostUserUpdated, { user: toAppUser(next), performedBy: toAppUser(admin), previousData: toAppUser(previous) });
        if (!activeChange) return { user: publicUser(next), success: true };
        const active = data.active === true;
        meteor(() => setUserActiveStatus(state, next._id, active, body.confirmRelinquish === true));
        return { user: publicUser(state.getUser(next._id) as StoredUser), success: true };
    }

    /**
     * users.setActiveStatus: Rocket.Chat's setUserActiveStatus (refusals,
     * direct rooms read-only or writable again); it fires no app event.
     */
    async function usersSetActiveStatus(_admin: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(requireObject(input), { userId: 'string', activeStatus: 'boolean', confirmRelinquish: 'boolean' }, ['userId', 'activeStatus']);
        const userId = body.userId!;
        meteor(() => setUserActiveStatus(state, userId, body.activeStatus!, body.confirmRelinquish === true));
        const user = state.getUser(userId);
        if (!user) throw failure('User not found');
        return { user: { _id: user._id, active: user.active !== false }, success: true };
    }

    /**
     * users.generatePersonalAccessToken: a token for the caller, which then
     * works as `X-Auth-Token` with the caller's `X-User-Id` (Rocket.Chat also
     * asks for the password through two-factor confirmation; the host does not).
     */
    async function usersGeneratePersonalAccessToken(caller: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(requireObject(input), { tokenName: 'string', bypassTwoFactor: 'boolean' }, ['tokenName']);
        const tokenName = body.tokenName!.trim();
        if (!tokenName) throw failure('Body parameter "tokenName" is required [error-invalid-params]', 'error-invalid-params');
        const user = state.getUser(caller._id) as StoredUser;
        if (user.personalAccessTokens?.some((t) => t.name === tokenName)) {
            throw failure('A token with this name already exists [error-token-already-exists]', 'error-token-already-exists');
        }
        const token = crypto.randomBytes(32).toString('base64url');
        state.replaceUser({ ...user, personalAccessTokens: [...(user.personalAccessTokens ?? []), { name: tokenName, token, createdAt: now() }] });
        return { token, success: true };
    }

    /** users.delete: the user leaves every room; IPostUserDeleted. */
    async function usersDelete(admin: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(requireObject(input), { userId: 'string', username: 'string', confirmRelinquish: 'boolean' }, []);
        if (body.userId === undefined && body.username === undefined) throw invalidParams("must have required property 'userId'");
        const user = findTarget(body);
        if (user.roles?.includes('admin') && activeAdmins().filter((a) => a._id !== user._id).length === 0) throw failure(NO_ADMIN, 'error-action-not-allowed');
        state.deleteUser(user._id);
        // deleteUser reads the user with the projection {username, avatarOrigin, roles, federated}: the event carries only those.
        const deleted = { _id: user._id, username: user.username, roles: user.roles, ...(user.federated !== undefined && { federated: user.federated }) };
        await fire(AppInterface.IPostUserDeleted, { user: toAppUser(deleted), performedBy: toAppUser(admin) });
        return { success: true };
    }

    /**
     * users.setStatus: IPostUserStatusChanged when the status or its text
     * changes (a text change alone fires it with the same status), with the
     * partial user Rocket.Chat's presence broadcast carries.
     */
    async function usersSetStatus(admin: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(requireObject(input), { userId: 'string', username: 'string', status: 'string', message: 'string' }, []);
        const target = body.userId !== undefined || body.username !== undefined ? findTarget(body) : admin;
        if (body.status !== undefined && !['online', 'away', 'offline', 'busy'].includes(body.status)) {
            throw failure('Valid status types include online, away, offline, and busy. [error-invalid-status]', 'error-invalid-status');
        }
        const previousStatus = target.status;
        const next: StoredUser = { ...target };
        if (body.status !== undefined) next.status = body.status;
        if (body.message !== undefined) next.statusText = body.message.trim().slice(0, 120);
        if (next.status !== target.status || next.statusText !== target.statusText) {
            next._updatedAt = now();
            state.replaceUser(next);
            const partial = { _id: next._id, username: next.username, status: next.status, statusText: next.statusText, roles: next.roles };
            await fire(AppInterface.IPostUserStatusChanged, { user: toAppUser(partial), currentStatus: next.status, previousStatus });
        }
        return { success: true };
    }

    /** The host's own login: sets lastLogin and fires IPostUserLoggedIn with the whole user. */
    async function hostLogin(_admin: StoredUser, input: unknown): Promise<unknown> {
        const body = checkProps(requireObject(input), { userId: 'string' }, ['userId']);
        const user = state.getUser(String(body.userId));
        if (!user) throw failure(INVALID_USER, 'error-invalid-user');
        if (user.active === false) throw failure('User is deactivated [error-user-is-not-activated]', 'error-user-is-not-activated');
        const at = now();
        const next: StoredUser = { ...user, lastLogin: at, _updatedAt: at };
        state.replaceUser(next);
        await fire(AppInterface.IPostUserLoggedIn, toAppUser(next));
        return { user: publicUser(next), success: true };
    }

    return {
        '/api/v1/users.create': usersCreate,
        '/api/v1/users.update': usersUpdate,
        '/api/v1/users.setActiveStatus': usersSetActiveStatus,
        '/api/v1/users.delete': usersDelete,
        '/api/v1/users.generatePersonalAccessToken': usersGeneratePersonalAccessToken,
        '/api/v1/users.setStatus': usersSetStatus,
        '/host/login': hostLogin,
    };
}
