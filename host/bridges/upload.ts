/**
 * Rocket.Chat's AppUploadBridge: uploaded files live in the shared store, and are recorded for the request running; a file
 * uploaded to a room is also a message there.
 */
import * as crypto from 'crypto';

import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IUpload } from '@rocket.chat/apps-engine/definition/uploads';
import type { IUploadDetails } from '@rocket.chat/apps-engine/definition/uploads/IUploadDetails';

import { randomId } from '../documents';
import type { WorkspaceState } from '../state';
import type { InstanceContext } from './context';

/** Rocket.Chat's sendFileMessage: an upload to a room is a message from the uploader with the file as an attachment. */
function fileMessageOf(
    upload: { id: string; name: string; size: number; type: string; extension?: string; path: string; uploadedAt: Date },
    details: IUploadDetails,
    state: WorkspaceState,
): IMessage {
    const file = { _id: upload.id, name: upload.name, type: upload.type, size: upload.size, format: upload.extension ?? '' };
    const attachment = { title: upload.name, type: 'file', format: file.format, title_link: upload.path, title_link_download: true, size: upload.size };
    return {
        id: randomId(),
        room: state.appRoom(details.rid),
        sender: details.userId ? state.appUser(details.userId) : undefined,
        text: '',
        createdAt: upload.uploadedAt,
        groupable: false,
        attachments: [attachment],
        file,
        files: [file],
    } as unknown as IMessage;
}

export class HostUploadBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async getById(id: string): Promise<IUpload> {
        const entry = this.ctx.state.uploadBuffers.get(id);
        return entry?.details as unknown as IUpload;
    }

    async getBuffer(upload: IUpload): Promise<Buffer> {
        const entry = this.ctx.state.uploadBuffers.get(upload?.id);
        if (!entry) throw new Error(`Upload "${upload?.id}" not found`);
        return entry.buffer;
    }

    async createUpload(details: IUploadDetails, buffer: Buffer): Promise<IUpload> {
        const id = randomId();
        const buf = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer as unknown as Uint8Array);
        const now = new Date();
        const upload = {
            id,
            name: details.name,
            size: buf.length,
            type: details.type,
            extension: (details.name || '').includes('.') ? details.name.split('.').pop() : '',
            etag: crypto.createHash('md5').update(buf).digest('hex'),
            path: `/file-upload/${id}/${encodeURIComponent(details.name || '')}`,
            url: `${this.ctx.siteUrl()}/file-upload/${id}/${encodeURIComponent(details.name || '')}`,
            progress: 1,
            uploading: false,
            complete: true,
            updatedAt: now,
            uploadedAt: now,
            store: 'GridFS:Uploads',
            room: details.rid ? this.ctx.state.appRoom(details.rid) : undefined,
            user: details.userId ? this.ctx.state.appUser(details.userId) : undefined,
        };
        this.ctx.state.uploadBuffers.set(id, { details: upload, buffer: buf });
        if (details.rid) this.ctx.state.saveMessage(fileMessageOf(upload, details, this.ctx.state));
        this.ctx.produced.record('uploads', {
            id,
            name: details.name,
            room: details.rid,
            userId: details.userId,
            type: details.type,
            size: buf.length,
            content: buf.toString('utf8'),
            createdAt: now.toISOString(),
        });
        return upload as unknown as IUpload;
    }
}
