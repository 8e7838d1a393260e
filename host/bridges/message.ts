/** Rocket.Chat's AppMessageBridge: messages are stored, and recorded (with notifications) for the requests running on the instance. */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { ITypingDescriptor } from '@rocket.chat/apps-engine/server/bridges/MessageBridge';

import { randomId } from '../documents';
import { InstanceContext, NotImplementedError } from './context';

function messageRecord(message: IMessage, id: string) {
    return {
        id,
        room: message.room?.id,
        text: message.text,
        blocks: message.blocks as unknown[] | undefined,
        attachments: message.attachments as unknown[] | undefined,
        sender: message.sender?.username,
        threadId: message.threadId,
        createdAt: new Date().toISOString(),
    };
}

export class HostMessageBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async create(message: IMessage): Promise<string> {
        const id = randomId();
        this.ctx.state.saveMessage({ ...message, id, createdAt: new Date() });
        this.ctx.produced.record('messages', messageRecord(message, id));
        return id;
    }

    async update(message: IMessage): Promise<void> {
        if (!message.id || !this.ctx.state.messages.has(message.id)) throw new Error('A message must exist to update.');
        this.ctx.state.saveMessage({ ...message, updatedAt: new Date() });
        this.ctx.produced.record('messages', { ...messageRecord(message, message.id), updated: true } as ReturnType<typeof messageRecord>);
    }

    async notifyUser(user: IUser, message: IMessage): Promise<void> {
        this.ctx.produced.record('notifications', {
            kind: 'user',
            to: user?.username,
            room: message.room?.id,
            text: message.text,
            blocks: message.blocks,
            sender: message.sender?.username,
            createdAt: new Date().toISOString(),
        });
    }

    async notifyRoom(room: IRoom, message: IMessage): Promise<void> {
        this.ctx.produced.record('notifications', {
            kind: 'room',
            to: room?.id,
            room: room?.id,
            text: message.text,
            blocks: message.blocks,
            sender: message.sender?.username,
            createdAt: new Date().toISOString(),
        });
    }

    async typing(options: ITypingDescriptor): Promise<void> {
        void options;
    }

    async getById(messageId: string): Promise<IMessage> {
        return this.ctx.state.messages.get(messageId) as IMessage;
    }

    async delete(message: IMessage): Promise<void> {
        if (message.id) this.ctx.state.messages.delete(message.id);
    }

    async addReaction(): Promise<void> {
        throw new NotImplementedError('MessageBridge.addReaction');
    }

    async removeReaction(): Promise<void> {
        throw new NotImplementedError('MessageBridge.removeReaction');
    }
}
