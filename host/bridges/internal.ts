/** Rocket.Chat's AppInternalBridge: room usernames and the workspace's public key (the engine checks the app's signature with it). */
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';

import type { InstanceContext } from './context';

export class HostInternalBridge {
    constructor(
        private readonly ctx: InstanceContext,
        private readonly publicKey: string,
    ) {}

    doGetUsernamesOfRoomByIdSync(roomId: string): Array<string> {
        const room = this.ctx.state.rooms.get(roomId);
        if (!room) return [];
        return room.members.map((m) => this.ctx.state.getUser(m)?.username).filter((x): x is string => !!x);
    }

    async doGetUsernamesOfRoomById(roomId: string): Promise<Array<string>> {
        return this.doGetUsernamesOfRoomByIdSync(roomId);
    }

    async doGetWorkspacePublicKey(): Promise<ISetting> {
        return {
            id: 'Cloud_Workspace_PublicKey',
            type: 'string',
            packageValue: this.publicKey,
            value: this.publicKey,
            required: false,
            public: false,
            i18nLabel: 'Cloud_Workspace_PublicKey',
        } as unknown as ISetting;
    }
}
