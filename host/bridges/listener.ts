/** Rocket.Chat's AppListenerBridge: events go to this instance's engine. */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUIKitIncomingInteraction } from '@rocket.chat/apps-engine/definition/uikit/IUIKitIncomingInteraction';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import type { InstanceContext } from './context';

export class HostListenerBridge {
    constructor(private readonly ctx: InstanceContext) {}

    private _manager(): AppManager {
        const manager = this.ctx.manager();
        if (!manager) throw new Error('The apps engine is not running');
        return manager;
    }

    async messageEvent(int: AppInterface, message: IMessage): Promise<void | boolean | IMessage> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, message as never);
    }

    async roomEvent(int: AppInterface, room: IRoom): Promise<void | boolean | IRoom> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, room as never);
    }

    async uiKitInteractionEvent(int: AppInterface, action: IUIKitIncomingInteraction): Promise<void | boolean> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, action as never);
    }

    /** User events (IPostUserCreated, ...), with the payloads Rocket.Chat's listener bridge builds. */
    async userEvent(int: AppInterface, data: unknown): Promise<unknown> {
        return this._manager()
            .getListenerManager()
            .executeListener(int as never, data as never);
    }
}
