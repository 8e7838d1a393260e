import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { Directory } from '../../src/core/directory';
import { DirectoryService } from '../../src/DirectoryService';
import { MemoryDatabase } from './memory-store';
import { VirtualClock } from './virtual-clock';

/**
 * The service against a small workspace behind the two accessors it uses
 * (getAllRooms and getMembers, plus the app user), counting every call.
 */
interface Room {
    id: string;
    type: 'c' | 'p' | 'd';
    members: string[];
    ro?: boolean;
    updatedAt?: number;
}

export function user(id: string, fields: Partial<IUser> = {}): IUser {
    return { id, username: id, name: id.toUpperCase(), roles: ['user'], isEnabled: true, status: 'online', ...fields } as IUser;
}

const appUser = () => user('app.bot', { roles: ['app'], type: 'app' } as Partial<IUser>);

export class Workspace {
    users = new Map<string, IUser>();
    rooms: Room[] = [];
    calls: string[] = [];
    /** When set, getMembers waits for it: a build in progress. */
    gate?: Promise<void>;

    reader(): IRead {
        return {
            getUserReader: () => ({
                getAppUser: async () => {
                    this.calls.push('getAppUser');
                    return appUser();
                },
                getById: async (id: string) => {
                    this.calls.push(`getById:${id}`);
                    return id === 'app.bot' ? appUser() : this.users.get(id);
                },
            }),
            getRoomReader: () => ({
                getAllRooms: async (_filters: unknown, { limit, skip }: { limit: number; skip: number }) => {
                    this.calls.push('getAllRooms');
                    return this.rooms.slice(skip, skip + limit).map((room) => ({
                        id: room.id,
                        type: room.type,
                        ...(room.type === 'd' && { userIds: room.members }),
                        ...(room.ro && { isReadOnly: true }),
                        ...(room.updatedAt !== undefined && { updatedAt: new Date(room.updatedAt) }),
                    }));
                },
                getMembers: async (roomId: string) => {
                    this.calls.push(`getMembers:${roomId}`);
                    await this.gate;
                    const room = this.rooms.find((candidate) => candidate.id === roomId);
                    return (room?.members ?? []).map((id) => this.users.get(id)).filter(Boolean);
                },
            }),
        } as unknown as IRead;
    }
}

export function workspace(): Workspace {
    const ws = new Workspace();
    for (const id of ['ann', 'bob', 'cy', 'dee', 'eve']) {
        ws.users.set(id, user(id));
    }
    ws.rooms = [
        { id: 'dm-ann-bob', type: 'd', members: ['ann', 'bob'] },
        { id: 'general', type: 'c', members: ['ann', 'bob', 'cy'] },
        { id: 'dm-cy-dee', type: 'd', members: ['cy', 'dee'] },
        { id: 'team', type: 'p', members: ['bob'] },
    ];
    return ws;
}

export const ids = (directory: Directory) => [...directory.records()].map((record) => record._id).sort();
export const memberReads = (ws: Workspace) => ws.calls.filter((call) => call.startsWith('getMembers')).length;

export const FIRST_DIRECTORY_BUDGET_MS = 200;

/** One instance of the app: its own service and memory over the cluster's shared database. */
export interface InstanceOptions {
    canWrite?: boolean;
    maxAgeMs?: number;
    fullRereadMs?: number;
    maxRoomMembers?: number;
    errors?: unknown[];
}

export function instance(clock: VirtualClock, ws: Workspace, db: MemoryDatabase, options: InstanceOptions = {}) {
    const store = db.instance(options.canWrite ?? true);
    const errors = options.errors ?? [];
    const svc = new DirectoryService({
        reader: () => ws.reader(),
        store,
        maxAgeMs: () => options.maxAgeMs ?? 60_000,
        fullRereadMs: () => options.fullRereadMs ?? 24 * 3600_000,
        maxRoomMembers: () => options.maxRoomMembers ?? 10_000,
        onError: (error) => errors.push(error),
        firstDirectoryBudgetMs: FIRST_DIRECTORY_BUDGET_MS,
        now: clock.now,
        sleep: clock.sleep,
    });
    return { svc, store, errors };
}

/** Ticks until the instance has no crawl or load running. */
export async function follow(svc: DirectoryService): Promise<Directory> {
    await svc.tick();
    await svc.settled();
    return svc.get();
}
