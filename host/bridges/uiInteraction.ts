/** Rocket.Chat's UiInteractionBridge: what the app opens or updates is recorded for the request running. */
import type { IUIKitInteraction } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { InstanceContext } from './context';

export class HostUiInteractionBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async notifyUser(user: IUser, interaction: IUIKitInteraction): Promise<void> {
        const raw = interaction as unknown as Record<string, unknown>;
        const view = raw.view as Record<string, unknown> | undefined;
        const viewId = (view?.id as string | undefined) ?? (raw.viewId as string | undefined);
        if (view && typeof view.id === 'string') this.ctx.state.views.set(view.id, view);
        this.ctx.produced.record('uiInteractions', {
            ...raw,
            type: String(raw.type),
            user: user?.username,
            triggerId: raw.triggerId as string | undefined,
            appId: raw.appId as string | undefined,
            viewId,
            createdAt: new Date().toISOString(),
        });
    }
}
