import type { IConfigurationExtend, ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ISetting, SettingType } from '@rocket.chat/apps-engine/definition/settings';

import { Config, defaultConfig, parseRoleList, Permission, PERMISSION_DEFAULTS, PERMISSIONS } from './core/config';
import { REACTIVATION_SETTINGS } from './seats/reactivate';
import { SEATS_SETTINGS } from './seats/settings';

/** The app's settings: one per Rocket.Chat setting it mirrors, and one per permission. */
export const SettingId = {
    defaultCount: 'api_default_count',
    maxCount: 'api_upper_count_limit',
    allowInfiniteCount: 'api_allow_infinite_count',
    applyViewOutsideRoom: 'api_apply_view_outside_room_on_users_list',
    allowQueryAndFields: 'allow_query_and_fields',
    directoryMaxAgeMinutes: 'directory_max_age_minutes',
    directoryFullRereadHours: 'directory_full_reread_hours',
    directoryMaxRoomMembers: 'directory_max_room_members',
} as const;

const permissionSettingId = (permission: Permission) => `permission_${permission}`;

function setting(id: string, type: SettingType, packageValue: unknown, section: string): ISetting {
    return { id, type, packageValue, required: false, public: false, section, i18nLabel: `setting_${id}`, i18nDescription: `setting_${id}_description` };
}

export const SETTINGS: ISetting[] = [
    setting(SettingId.defaultCount, SettingType.NUMBER, 50, 'api'),
    setting(SettingId.maxCount, SettingType.NUMBER, 100, 'api'),
    setting(SettingId.allowInfiniteCount, SettingType.BOOLEAN, true, 'api'),
    setting(SettingId.applyViewOutsideRoom, SettingType.BOOLEAN, false, 'api'),
    setting(SettingId.allowQueryAndFields, SettingType.BOOLEAN, true, 'api'),
    setting(SettingId.directoryMaxAgeMinutes, SettingType.NUMBER, 5, 'directory'),
    setting(SettingId.directoryFullRereadHours, SettingType.NUMBER, 24, 'directory'),
    setting(SettingId.directoryMaxRoomMembers, SettingType.NUMBER, 10_000, 'directory'),
    ...PERMISSIONS.map((permission) => setting(permissionSettingId(permission), SettingType.STRING, PERMISSION_DEFAULTS[permission].join(', '), 'permissions')),
    ...SEATS_SETTINGS,
    ...REACTIVATION_SETTINGS,
];

export async function provideSettings(configuration: IConfigurationExtend): Promise<void> {
    await Promise.all(SETTINGS.map((definition) => configuration.settings.provideSetting(definition)));
}

/** Reads every setting's current value once. */
export async function readSettingValues(settings: ISettingRead): Promise<Map<string, unknown>> {
    const values = new Map<string, unknown>();
    await Promise.all(SETTINGS.map(async ({ id }) => values.set(id, await settings.getValueById(id).catch(() => undefined))));
    return values;
}

/** The core's Config from setting values; missing or bad values fall back to the defaults. */
export function configFromValues(values: ReadonlyMap<string, unknown>): Config {
    const config = defaultConfig();
    const positive = (id: string, fallback: number) => {
        const raw = values.get(id);
        const value = typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw.trim())) ? Number(raw) : NaN;
        return Number.isInteger(value) && value > 0 ? value : fallback;
    };
    const flag = (id: string, fallback: boolean) => (typeof values.get(id) === 'boolean' ? (values.get(id) as boolean) : fallback);

    config.defaultCount = positive(SettingId.defaultCount, config.defaultCount);
    config.maxCount = positive(SettingId.maxCount, config.maxCount);
    config.allowInfiniteCount = flag(SettingId.allowInfiniteCount, config.allowInfiniteCount);
    config.applyViewOutsideRoom = flag(SettingId.applyViewOutsideRoom, config.applyViewOutsideRoom);
    config.allowQueryAndFields = flag(SettingId.allowQueryAndFields, config.allowQueryAndFields);
    // Fractions of a minute are allowed (down to 3 s), so that tests and small workspaces can rebuild often.
    const ageRaw = values.get(SettingId.directoryMaxAgeMinutes);
    const ageMinutes = typeof ageRaw === 'number' || (typeof ageRaw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(ageRaw)) ? Number(ageRaw) : NaN;
    config.directoryMaxAgeMs = Math.round((ageMinutes >= 0.05 ? ageMinutes : 5) * 60_000);
    // Fractions of an hour too (down to 3 s), for tests.
    const fullRaw = values.get(SettingId.directoryFullRereadHours);
    const fullHours = typeof fullRaw === 'number' || (typeof fullRaw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(fullRaw)) ? Number(fullRaw) : NaN;
    config.fullRereadMs = Math.round((fullHours >= 0.001 ? fullHours : 24) * 3600_000);
    config.maxRoomMembers = positive(SettingId.directoryMaxRoomMembers, config.maxRoomMembers);
    for (const permission of PERMISSIONS) {
        const value = values.get(permissionSettingId(permission));
        if (typeof value === 'string') {
            config.permissionRoles[permission] = parseRoleList(value);
        }
    }
    return config;
}
