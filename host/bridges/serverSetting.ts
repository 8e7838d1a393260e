/** Rocket.Chat's AppServerSettingBridge over the shared server settings (`Site_Url` is instance 1's URL). */
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';

import { InstanceContext, NotImplementedError } from './context';

export class HostServerSettingBridge {
    constructor(private readonly ctx: InstanceContext) {}

    private _current(id: string): ISetting | undefined {
        const setting = this.ctx.store.serverSettings.get(id);
        if (setting && id === 'Site_Url') return { ...setting, value: this.ctx.siteUrl(), packageValue: this.ctx.siteUrl() };
        return setting;
    }

    async getAll(): Promise<Array<ISetting>> {
        return this.ctx.store.serverSettings.ids().map((id) => this._current(id) as ISetting);
    }

    async getOneById(id: string): Promise<ISetting> {
        return this._current(id) as ISetting;
    }

    async hideGroup(): Promise<void> {
        throw new NotImplementedError('ServerSettingBridge.hideGroup');
    }

    async hideSetting(): Promise<void> {
        throw new NotImplementedError('ServerSettingBridge.hideSetting');
    }

    async isReadableById(id: string): Promise<boolean> {
        return this.ctx.store.serverSettings.get(id) !== undefined;
    }

    async updateOne(setting: ISetting): Promise<void> {
        this.ctx.store.serverSettings.set(setting.id, setting.value);
    }

    async incrementValue(id: string, value: number): Promise<void> {
        const current = this.ctx.store.serverSettings.get(id);
        this.ctx.store.serverSettings.set(id, Number(current?.value || 0) + (value || 1));
    }
}
