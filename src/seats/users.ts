import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Directory } from '../core/directory';
import type { SeatUser } from '../core/seats/inactive';

/** Every user the directory holds, as the rules see them (read field by field, no full records built). */
export function* seatUsersOf(directory: Directory): Generator<SeatUser> {
    for (const id of directory.ids()) {
        const slot = directory.slotOf(id);
        if (slot === undefined) continue;
        const field = (name: string) => directory.field(slot, name);
        yield {
            id,
            username: field('username') as string | undefined,
            name: field('name') as string | undefined,
            type: field('type') as string | undefined,
            roles: field('roles') as string[] | undefined,
            active: field('active') as boolean | undefined,
            lastLogin: field('lastLogin') as string | undefined,
            createdAt: field('createdAt') as string | undefined,
            federated: field('federated') as boolean | undefined,
        };
    }
}

const iso = (value: unknown) => {
    if (value === undefined || value === null) return undefined;
    const date = value instanceof Date ? value : new Date(value as string);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

/** The server's copy of a user, as the rules see them. */
export function seatUserOf(user: IUser): SeatUser {
    const raw = user as IUser & { isFederated?: boolean; isRemote?: boolean };
    return {
        id: user.id,
        username: user.username,
        name: user.name,
        type: user.type,
        roles: Array.isArray(user.roles) ? user.roles : [],
        active: user.isEnabled,
        lastLogin: iso(user.lastLoginAt),
        createdAt: iso(user.createdAt),
        federated: raw.isFederated === true,
        isRemote: raw.isRemote === true,
    };
}
