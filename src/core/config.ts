/**
 * The app's settings as the core sees them: plain values, read once from the
 * engine and refreshed when an admin changes them, so that no request pays a
 * bridge call to read them.
 */

/** Rocket.Chat permissions the app needs, with Rocket.Chat's default role assignment. */
export const PERMISSION_DEFAULTS = {
    'view-d-room': ['admin', 'user', 'bot', 'app', 'guest'],
    'view-outside-room': ['admin', 'owner', 'moderator', 'user'],
    'view-full-other-user-info': ['admin'],
    'view-user-voip-extension': ['admin', 'user'],
    'view-livechat-manager': ['livechat-manager', 'livechat-monitor', 'admin'],
    'transfer-livechat-guest': ['livechat-manager', 'livechat-monitor', 'admin'],
    'edit-omnichannel-contact': ['livechat-manager', 'livechat-agent', 'admin'],
    /** The app's own: the workspace summary (seats). Admins hold it whatever the setting says. */
    'view-seats': ['admin'],
};

export type Permission = keyof typeof PERMISSION_DEFAULTS;

export const PERMISSIONS = Object.keys(PERMISSION_DEFAULTS) as Permission[];

export interface Config {
    /** API_Default_Count */
    defaultCount: number;
    /** API_Upper_Count_Limit */
    maxCount: number;
    /** API_Allow_Infinite_Count */
    allowInfiniteCount: boolean;
    /** API_Apply_permission_view-outside-room_on_users-list */
    applyViewOutsideRoom: boolean;
    /** Whether users.list honours `query` and `fields` (Rocket.Chat 7+ ignores them by default). */
    allowQueryAndFields: boolean;
    /** How often one instance looks at the rooms for changes (the cheap pass), in milliseconds. */
    directoryMaxAgeMs: number;
    /** How often every user is read again (the safety net), in milliseconds. */
    fullRereadMs: number;
    /** Rooms with more members than this are not read whole after their first read. */
    maxRoomMembers: number;
    /** Roles holding each permission. */
    permissionRoles: Record<Permission, ReadonlySet<string>>;
}

export function defaultConfig(): Config {
    const permissionRoles = {} as Record<Permission, ReadonlySet<string>>;
    for (const permission of PERMISSIONS) {
        permissionRoles[permission] = new Set(PERMISSION_DEFAULTS[permission]);
    }
    return {
        defaultCount: 50,
        maxCount: 100,
        allowInfiniteCount: true,
        applyViewOutsideRoom: false,
        allowQueryAndFields: true,
        directoryMaxAgeMs: 5 * 60_000,
        fullRereadMs: 24 * 3600_000,
        maxRoomMembers: 10_000,
        permissionRoles,
    };
}

/** Parses a setting's comma- or space-separated list of roles. */
export function parseRoleList(value: unknown): Set<string> {
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : Array.isArray(value) ? value.join(',') : '';
    return new Set(text.split(/[\s,]+/).filter((role) => role.length > 0));
}

/** A caller as the core sees it: the engine's request user reduced to what decisions need. */
export interface Caller {
    id: string;
    username: string;
    roles: readonly string[];
}

export function hasPermission(caller: Caller, permission: Permission, config: Config): boolean {
    const allowed = config.permissionRoles[permission];
    return caller.roles.some((role) => allowed.has(role));
}

/** The caller of a request, from the engine's user (or anything shaped like it). */
export function toCaller(user: { id: string; username: string; roles?: readonly string[] }): Caller {
    return { id: user.id, username: user.username, roles: user.roles ?? [] };
}
