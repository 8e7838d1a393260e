import { ISetting, SettingType } from '@rocket.chat/apps-engine/definition/settings';

import { parseRoleList } from '../core/config';
import { MAX_INACTIVE_DAYS, MIN_INACTIVE_DAYS } from '../core/seats/inactive';
import { parseTimeOfDay } from '../core/seats/schedule';

/** The settings of deactivation and the daily clean-up (docs/seats.md). */
export const SeatsSettingId = {
    enabled: 'deactivation_enabled',
    exemptRoles: 'deactivation_exempt_roles',
    auditRoom: 'deactivation_audit_room',
    cleanupEnabled: 'cleanup_enabled',
    cleanupDays: 'cleanup_inactive_days',
    cleanupDryRun: 'cleanup_dry_run',
    cleanupTime: 'cleanup_time',
} as const;

const DEFAULT_CLEANUP_DAYS = 90;
const DEFAULT_CLEANUP_TIME = '03:00';

/** A setting of the seats section, labelled and described by `setting_<id>` texts. */
export function seatSetting(id: string, type: SettingType, packageValue: unknown): ISetting {
    return {
        id,
        type,
        packageValue,
        required: false,
        public: false,
        section: 'seats',
        i18nLabel: `setting_${id}`,
        i18nDescription: `setting_${id}_description`,
    };
}

export const SEATS_SETTINGS: ISetting[] = [
    seatSetting(SeatsSettingId.enabled, SettingType.BOOLEAN, false),
    seatSetting(SeatsSettingId.exemptRoles, SettingType.STRING, ''),
    seatSetting(SeatsSettingId.auditRoom, SettingType.STRING, ''),
    seatSetting(SeatsSettingId.cleanupEnabled, SettingType.BOOLEAN, false),
    seatSetting(SeatsSettingId.cleanupDays, SettingType.NUMBER, DEFAULT_CLEANUP_DAYS),
    seatSetting(SeatsSettingId.cleanupDryRun, SettingType.BOOLEAN, true),
    seatSetting(SeatsSettingId.cleanupTime, SettingType.STRING, DEFAULT_CLEANUP_TIME),
];

export interface SeatsConfig {
    enabled: boolean;
    exemptRoles: ReadonlySet<string>;
    /** A room name without `#`; empty: no audit messages. */
    auditRoom: string;
    /** `days` and `time` are undefined when their setting is malformed: the clean-up then reports that instead of guessing. */
    cleanup: { enabled: boolean; days?: number; dryRun: boolean; time?: { hour: number; minute: number } };
}

/** The settings' values; a missing or malformed switch reads as its safe default (off, dry run). */
export function seatsConfigFromValues(values: ReadonlyMap<string, unknown>): SeatsConfig {
    const flag = (id: string, fallback: boolean) => {
        const value = values.get(id);
        return typeof value === 'boolean' ? value : fallback;
    };
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const rawDays = values.get(SeatsSettingId.cleanupDays) ?? DEFAULT_CLEANUP_DAYS;
    const days = typeof rawDays === 'number' || (typeof rawDays === 'string' && /^\s*\d+\s*$/.test(rawDays)) ? Number(rawDays) : NaN;
    return {
        enabled: flag(SeatsSettingId.enabled, false),
        exemptRoles: parseRoleList(values.get(SeatsSettingId.exemptRoles)),
        auditRoom: text(values.get(SeatsSettingId.auditRoom)).trim().replace(/^#/, ''),
        cleanup: {
            enabled: flag(SeatsSettingId.cleanupEnabled, false),
            days: Number.isInteger(days) && days >= MIN_INACTIVE_DAYS && days <= MAX_INACTIVE_DAYS ? days : undefined,
            dryRun: flag(SeatsSettingId.cleanupDryRun, true),
            time: parseTimeOfDay(values.get(SeatsSettingId.cleanupTime) ?? DEFAULT_CLEANUP_TIME),
        },
    };
}
