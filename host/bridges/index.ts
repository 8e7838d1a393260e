/**
 * The Apps-Engine bridges of one instance, one file per bridge as Rocket.Chat
 * keeps them (apps/meteor/app/apps/server/bridges/*), behaving like them
 * where the app can observe the difference. They read and write the shared
 * store (users, rooms, messages, persistence, settings, scheduler jobs) and
 * keep what belongs to the instance with it (endpoints, slash commands,
 * listeners, what the app produced for the requests running there). Every
 * call is counted in the instance's stats, and so are the user documents the
 * server reads for it.
 *
 * A bridge is a plain class in its own file here; createBridges adapts it to
 * the engine's bridge class and the AppBridges getter of its kind returns it.
 */
import type {
    AppBridges,
    CloudWorkspaceBridge,
    ContactBridge,
    EmailBridge,
    ExperimentalBridge,
    IInternalBridge,
    IInternalFederationBridge,
    IListenerBridge,
    LivechatBridge,
    ModerationBridge,
    OutboundMessageBridge,
    RoleBridge,
    VideoConferenceBridge,
} from '@rocket.chat/apps-engine/server/bridges';
import type { OAuthAppsBridge } from '@rocket.chat/apps-engine/server/bridges/OAuthAppsBridge';
import type { ThreadBridge } from '@rocket.chat/apps-engine/server/bridges/ThreadBridge';

import type { Engine } from '../engine';
import { HostActivationBridge, HostAppDetailChangesBridge } from './activation';
import { adapt, notImplementedBridge } from './adapt';
import { HostApiBridge } from './api';
import { HostCommandBridge } from './command';
import type { InstanceContext } from './context';
import { HostEnvironmentalVariableBridge } from './environmental';
import { HostFederationBridge, keyPair } from './federation';
import { HostHttpBridge } from './http';
import { HostInternalBridge } from './internal';
import { HostListenerBridge } from './listener';
import { HostMessageBridge } from './message';
import { HostPersistenceBridge } from './persistence';
import { HostRoomBridge } from './room';
import { HostSchedulerBridge } from './scheduler';
import { HostServerSettingBridge } from './serverSetting';
import { HostUiInteractionBridge } from './uiInteraction';
import { HostUploadBridge } from './upload';
import { HostUserBridge } from './user';

export type { RegisteredEndpoint } from './api';
export type { InstanceContext } from './context';

/** The bridges of one instance: what the engine gets, and the parts the host reads. */
export interface InstanceBridges {
    appBridges: AppBridges;
    /** The app's endpoints registered on this instance. */
    api: HostApiBridge;
    /** The slash commands registered on this instance. */
    command: HostCommandBridge;
}

export function createBridges(engine: Engine, ctx: InstanceContext): InstanceBridges {
    const B = engine.bridges;
    const keys = keyPair();
    const api = new HostApiBridge(ctx);
    const command = new HostCommandBridge(ctx);
    const parts = {
        user: adapt(B.UserBridge, new HostUserBridge(ctx), 'UserBridge', ctx),
        room: adapt(B.RoomBridge, new HostRoomBridge(ctx), 'RoomBridge', ctx),
        message: adapt(B.MessageBridge, new HostMessageBridge(ctx), 'MessageBridge', ctx),
        persistence: adapt(B.PersistenceBridge, new HostPersistenceBridge(ctx), 'PersistenceBridge', ctx),
        scheduler: adapt(B.SchedulerBridge, new HostSchedulerBridge(ctx), 'SchedulerBridge', ctx),
        api: adapt(B.ApiBridge, api, 'ApiBridge', ctx),
        command: adapt(B.CommandBridge, command, 'CommandBridge', ctx),
        listener: adapt<IListenerBridge>(undefined, new HostListenerBridge(ctx), 'ListenerBridge', ctx),
        serverSetting: adapt(B.ServerSettingBridge, new HostServerSettingBridge(ctx), 'ServerSettingBridge', ctx),
        environmental: adapt(B.EnvironmentalVariableBridge, new HostEnvironmentalVariableBridge(ctx), 'EnvironmentalVariableBridge', ctx),
        uiInteraction: adapt(B.UiInteractionBridge, new HostUiInteractionBridge(ctx), 'UiInteractionBridge', ctx),
        upload: adapt(B.UploadBridge, new HostUploadBridge(ctx), 'UploadBridge', ctx),
        activation: adapt(B.AppActivationBridge, new HostActivationBridge(ctx), 'AppActivationBridge', ctx),
        detailChanges: adapt(B.AppDetailChangesBridge, new HostAppDetailChangesBridge(), 'AppDetailChangesBridge', ctx),
        http: adapt(B.HttpBridge, new HostHttpBridge(), 'HttpBridge', ctx),
        internal: adapt<IInternalBridge>(undefined, new HostInternalBridge(ctx, keys.publicKey), 'InternalBridge', ctx),
        federation: adapt<IInternalFederationBridge>(undefined, new HostFederationBridge(keys), 'InternalFederationBridge', ctx),
    };
    const unavailable = new Map<string, unknown>();
    const none = <T>(name: string): T => {
        if (!unavailable.has(name)) unavailable.set(name, notImplementedBridge<T>(name, ctx));
        return unavailable.get(name) as T;
    };

    class Bridges extends B.AppBridges {
        getCommandBridge() {
            return parts.command;
        }

        getContactBridge() {
            return none<ContactBridge>('ContactBridge');
        }

        getApiBridge() {
            return parts.api;
        }

        getAppDetailChangesBridge() {
            return parts.detailChanges;
        }

        getEnvironmentalVariableBridge() {
            return parts.environmental;
        }

        getHttpBridge() {
            return parts.http;
        }

        getListenerBridge() {
            return parts.listener;
        }

        getLivechatBridge() {
            return none<LivechatBridge>('LivechatBridge');
        }

        getMessageBridge() {
            return parts.message;
        }

        getPersistenceBridge() {
            return parts.persistence;
        }

        getAppActivationBridge() {
            return parts.activation;
        }

        getRoomBridge() {
            return parts.room;
        }

        getInternalBridge() {
            return parts.internal;
        }

        getInternalFederationBridge() {
            return parts.federation;
        }

        getServerSettingBridge() {
            return parts.serverSetting;
        }

        getUploadBridge() {
            return parts.upload;
        }

        getEmailBridge() {
            return none<EmailBridge>('EmailBridge');
        }

        getUserBridge() {
            return parts.user;
        }

        getUiInteractionBridge() {
            return parts.uiInteraction;
        }

        getSchedulerBridge() {
            return parts.scheduler;
        }

        getCloudWorkspaceBridge() {
            return none<CloudWorkspaceBridge>('CloudWorkspaceBridge');
        }

        getVideoConferenceBridge() {
            return none<VideoConferenceBridge>('VideoConferenceBridge');
        }

        getOAuthAppsBridge() {
            return none<OAuthAppsBridge>('OAuthAppsBridge');
        }

        getModerationBridge() {
            return none<ModerationBridge>('ModerationBridge');
        }

        getThreadBridge() {
            return none<ThreadBridge>('ThreadBridge');
        }

        getRoleBridge() {
            return none<RoleBridge>('RoleBridge');
        }

        getOutboundMessageBridge() {
            return none<OutboundMessageBridge>('OutboundMessageBridge');
        }

        getExperimentalBridge() {
            return none<ExperimentalBridge>('ExperimentalBridge');
        }
    }

    return { appBridges: new Bridges(), api, command };
}
