/**
 * Type checks for the apps settings route. Rocket.Chat stores whatever an
 * admin posts and leaves the app to cope; the local workspace refuses a value
 * of the wrong type instead, so that a typo is a clear 400, not a setting the
 * app quietly ignores.
 */
import { ISetting, SettingType } from '@rocket.chat/apps-engine/definition/settings';

const TEXT_TYPES = new Set([SettingType.STRING, SettingType.CODE, SettingType.COLOR, SettingType.FONT, SettingType.PASSWORD, SettingType.ROOM_PICK]);

function shown(value: unknown): string {
    if (value === undefined) return 'nothing';
    return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Why `value` cannot be the value of `setting` (its type; a select's choices), or undefined when it can. */
export function settingValueProblem(setting: Pick<ISetting, 'type' | 'values'>, value: unknown): string | undefined {
    const choices = (setting.values ?? []).map((choice) => choice.key);
    const choiceList = choices.map((key) => JSON.stringify(key)).join(', ');
    switch (setting.type) {
        case SettingType.BOOLEAN:
            return typeof value === 'boolean' ? undefined : `expected true or false, got ${shown(value)}`;
        case SettingType.NUMBER: // "int", fractions included
            return typeof value === 'number' && Number.isFinite(value) ? undefined : `expected a number, got ${shown(value)}`;
        case SettingType.SELECT:
            if (typeof value !== 'string') return `expected one of ${choiceList}, got ${shown(value)}`;
            return choices.includes(value) ? undefined : `expected one of ${choiceList}, got ${shown(value)}`;
        case SettingType.MULTI_SELECT:
            if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && choices.includes(item)))
                return `expected a list of ${choiceList}, got ${shown(value)}`;
            return undefined;
        default:
            if (TEXT_TYPES.has(setting.type)) return typeof value === 'string' ? undefined : `expected a string, got ${shown(value)}`;
            return undefined;
    }
}
