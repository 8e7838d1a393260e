/// <reference types="jest" />
/** The apps settings route's type checks (host/settingValues.ts). */
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';

import { settingValueProblem } from '../../host/settingValues';

const of = (type: SettingType, values?: string[]) => ({ type, values: values?.map((key) => ({ key, i18nLabel: key })) });

describe('settingValueProblem', () => {
    it('takes a finite number, fractions included, for a number setting', () => {
        for (const value of [0, 20, 0.05, -3]) expect(settingValueProblem(of(SettingType.NUMBER), value)).toBeUndefined();
        expect(settingValueProblem(of(SettingType.NUMBER), 'abc')).toBe('expected a number, got "abc"');
        expect(settingValueProblem(of(SettingType.NUMBER), '20')).toBe('expected a number, got "20"');
        expect(settingValueProblem(of(SettingType.NUMBER), Infinity)).toBe('expected a number, got Infinity');
        expect(settingValueProblem(of(SettingType.NUMBER), undefined)).toBe('expected a number, got nothing');
    });

    it('takes true or false for a boolean setting, not their text', () => {
        expect(settingValueProblem(of(SettingType.BOOLEAN), false)).toBeUndefined();
        expect(settingValueProblem(of(SettingType.BOOLEAN), 'false')).toBe('expected true or false, got "false"');
        expect(settingValueProblem(of(SettingType.BOOLEAN), 0)).toBe('expected true or false, got 0');
    });

    it('takes a string for the text types, the empty one included', () => {
        for (const type of [SettingType.STRING, SettingType.CODE, SettingType.COLOR, SettingType.PASSWORD]) {
            expect(settingValueProblem(of(type), '')).toBeUndefined();
            expect(settingValueProblem(of(type), 12)).toBe('expected a string, got 12');
        }
        expect(settingValueProblem(of(SettingType.STRING), ['admin'])).toBe('expected a string, got ["admin"]');
    });

    it("takes one of a select's keys, and a list of them for a multi-select", () => {
        const select = of(SettingType.SELECT, ['asc', 'desc']);
        expect(settingValueProblem(select, 'desc')).toBeUndefined();
        expect(settingValueProblem(select, 'DESC')).toBe('expected one of "asc", "desc", got "DESC"');
        expect(settingValueProblem(select, 1)).toBe('expected one of "asc", "desc", got 1');
        const multi = of(SettingType.MULTI_SELECT, ['a', 'b']);
        expect(settingValueProblem(multi, [])).toBeUndefined();
        expect(settingValueProblem(multi, ['b', 'a'])).toBeUndefined();
        expect(settingValueProblem(multi, ['a', 'c'])).toBe('expected a list of "a", "b", got ["a","c"]');
        expect(settingValueProblem(multi, 'a')).toBe('expected a list of "a", "b", got "a"');
    });
});
