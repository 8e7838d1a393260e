/**
 * A probe app for testing the host's events: it listens to the room and user
 * events and writes what it received (the context's keys and the ids in it)
 * into its persistence, one record per event, which a test reads back
 * through the engine's server-side accessors. Built as a package the engine
 * installs like any other (app.json with `implements`, one CommonJS class file).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import AdmZip = require('adm-zip');

import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

import type { HostInstance } from '../../host';

export const PROBE_APP_ID = '7d0b5e4c-2f1a-4c55-9a0e-5f3c1b2a9e01';

const CLASS_FILE = `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { App } = require('@rocket.chat/apps-engine/definition/App');
const { RocketChatAssociationModel, RocketChatAssociationRecord } = require('@rocket.chat/apps-engine/definition/metadata');

const EVENTS = new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, 'probe-events');
const user = (u) => (u ? { id: u.id, username: u.username } : null);
const room = (r) => ({
    id: r.id,
    type: r.type,
    slugifiedName: r.slugifiedName || null,
    isReadOnly: r.isReadOnly,
    userIds: r.userIds || null,
    updatedAt: r.updatedAt ? new Date(r.updatedAt).toISOString() : null,
});

class ProbeApp extends App {
    async record(persis, event, context, summary) {
        await persis.createWithAssociation({ event, keys: Object.keys(context).sort(), ...summary }, EVENTS);
    }
    async executePostRoomUserJoined(context, read, http, persis) {
        await this.record(persis, 'IPostRoomUserJoined', context, {
            room: room(context.room),
            joiningUser: user(context.joiningUser),
            invitingUser: user(context.invitingUser),
            inviter: user(context.inviter),
        });
    }
    async executePostRoomUserLeave(context, read, http, persis) {
        await this.record(persis, 'IPostRoomUserLeave', context, {
            room: room(context.room),
            leavingUser: user(context.leavingUser),
            removedBy: user(context.removedBy),
        });
    }
    async executePostUserCreated(context, read, http, persis) {
        await this.record(persis, 'IPostUserCreated', context, { user: user(context.user) });
    }
    async executePostUserDeleted(context, read, http, persis) {
        await this.record(persis, 'IPostUserDeleted', context, { user: user(context.user) });
    }
}
exports.default = ProbeApp;
`;

/** The probe's package, written once per test process. */
export function probeZip(): string {
    const file = path.join(os.tmpdir(), `room-events-probe-${process.pid}.zip`);
    if (fs.existsSync(file)) return file;
    const zip = new AdmZip();
    const info = {
        id: PROBE_APP_ID,
        version: '0.0.1',
        requiredApiVersion: '^1.59.0',
        iconFile: 'icon.png',
        author: { name: 'Probe', homepage: 'https://example.com', support: 'https://example.com' },
        name: 'Event Probe',
        nameSlug: 'event-probe',
        classFile: 'ProbeApp.js',
        description: 'Records the events it receives.',
        implements: ['IPostRoomUserJoined', 'IPostRoomUserLeave', 'IPostUserCreated', 'IPostUserDeleted'],
        permissions: [{ name: 'persistence' }, { name: 'user.read' }, { name: 'room.read' }, { name: 'room.system.view-all' }],
    };
    zip.addFile('app.json', Buffer.from(JSON.stringify(info, null, 2)));
    zip.addFile('ProbeApp.js', Buffer.from(CLASS_FILE));
    zip.addFile('icon.png', fs.readFileSync(path.resolve(__dirname, '..', '..', 'icon.png')));
    zip.writeZip(file);
    return file;
}

export interface ProbeEvent {
    event: string;
    keys: string[];
    [key: string]: unknown;
}

/** The events the probe recorded so far (in the shared persistence), read through an instance's engine. */
export async function probeEvents(instance: HostInstance): Promise<ProbeEvent[]> {
    const reader = instance.appAccessors().read.getPersistenceReader();
    return (await reader.readByAssociation(new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, 'probe-events'))) as ProbeEvent[];
}
