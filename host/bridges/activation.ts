/** Rocket.Chat's AppActivationBridge and AppDetailChangesBridge: the host only logs what changed. */
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';

import type { InstanceContext } from './context';

export class HostActivationBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async appAdded(app: ProxiedApp): Promise<void> {
        this.ctx.log(`app added: ${app.getName()} ${app.getVersion()}`);
    }

    async appUpdated(): Promise<void> {
        return undefined;
    }

    async appRemoved(): Promise<void> {
        return undefined;
    }

    async appStatusChanged(app: ProxiedApp, status: string): Promise<void> {
        this.ctx.log(`app status: ${status}`);
    }

    async actionsChanged(): Promise<void> {
        return undefined;
    }
}

export class HostAppDetailChangesBridge {
    onAppSettingsChange(): void {
        return undefined;
    }
}
