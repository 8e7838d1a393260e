/** Rocket.Chat's AppUserBridge over the shared workspace: reads count as user documents read. */
import type { IUser, IUserCreationOptions, UserType } from '@rocket.chat/apps-engine/definition/users';

import { setUserActiveStatus } from '../activeStatus';
import { fromAppUser, StoredUser } from '../convert';
import { randomId } from '../documents';
import type { InstanceContext } from './context';

export class HostUserBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async getById(id: string): Promise<IUser> {
        await this.ctx.readUsers(1);
        return this.ctx.state.appUser(id) as IUser;
    }

    async getByUsername(username: string): Promise<IUser> {
        await this.ctx.readUsers(1);
        const user = this.ctx.state.getUserByUsername(username);
        return (user && this.ctx.state.appUser(user._id)) as IUser;
    }

    async getAppUser(appId?: string): Promise<IUser | undefined> {
        if (!appId) return undefined;
        await this.ctx.readUsers(1);
        for (const user of this.ctx.state.users.values()) {
            if (user.appId === appId) return this.ctx.state.appUser(user._id);
        }
        return undefined;
    }

    /** Users.getActiveLocalUserCount: the seats (active, not a bot or app, not federated or remote, roles not exactly ['guest']). */
    async getActiveUserCount(): Promise<number> {
        let n = 0;
        for (const user of this.ctx.state.users.values()) {
            const onlyGuest = user.roles?.length === 1 && user.roles[0] === 'guest';
            const remote = (user as { isRemote?: boolean }).isRemote === true;
            if (user.active !== false && user.type !== 'bot' && user.type !== 'app' && user.federated !== true && !remote && !onlyGuest) n++;
        }
        return n;
    }

    async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }

    async getUserRoomIds(userId: string): Promise<string[]> {
        return this.ctx.state.roomIdsOf(userId);
    }

    async create(data: Partial<IUser>, appId: string, options?: IUserCreationOptions): Promise<string> {
        void options;
        const user = fromAppUser(data) as StoredUser;
        if (!user._id) user._id = randomId();
        const now = new Date().toISOString();
        if (!user.createdAt) user.createdAt = now;
        user._updatedAt = now;
        switch (user.type) {
            case 'bot':
            case 'app':
                if (!user.username || this.ctx.state.isUsernameTaken(user.username)) {
                    throw new Error(`The username "${user.username}" is already being used. Rename or remove the user using it to install this App`);
                }
                this.ctx.state.insertUser(user);
                break;
            default:
                throw new Error('Creating normal users is currently not supported');
        }
        this.ctx.log(`created ${user.type} user ${user.username} for app ${appId}`);
        return user._id;
    }

    async remove(user: IUser): Promise<boolean> {
        if (!user) return true;
        this.ctx.state.deleteUser(user.id);
        return true;
    }

    async update(user: IUser, updates: Partial<IUser>): Promise<boolean> {
        if (!user) throw new Error('User not provided');
        const stored = this.ctx.state.getUser(user.id);
        if (!stored || !Object.keys(updates).length) return true;
        const next: StoredUser = { ...stored };
        const u = updates as Record<string, unknown>;
        for (const [key, value] of Object.entries(u)) {
            // The engine passes IUser field names; map the ones whose names differ.
            const map: Record<string, string> = {
                isEnabled: 'active',
                lastLoginAt: 'lastLogin',
                updatedAt: '_updatedAt',
                sipExtension: 'freeSwitchExtension',
                isFederated: 'federated',
            };
            const target = map[key] ?? key;
            (next as unknown as Record<string, unknown>)[target] = value instanceof Date ? value.toISOString() : value;
        }
        next._updatedAt = new Date().toISOString();
        this.ctx.state.replaceUser(next);
        return true;
    }

    async deleteUsersCreatedByApp(appId: string, type: UserType.APP | UserType.BOT): Promise<boolean> {
        let deleted = false;
        for (const user of [...this.ctx.state.users.values()]) {
            if (user.appId === appId && user.type === type) {
                this.ctx.state.deleteUser(user._id);
                deleted = true;
            }
        }
        return deleted;
    }

    /**
     * IUserUpdater.deactivate (the engine checks `user.write` first): as
     * Rocket.Chat's AppUserBridge, the user converted by id (an unknown id
     * fails on the missing user), then setUserActiveStatus(id, false,
     * confirmRelinquish) with its refusals; no app event.
     */
    async deactivate(userId: string, confirmRelinquish: boolean): Promise<boolean> {
        if (!userId) throw new Error('Invalid user id');
        await this.ctx.readUsers(1);
        const user = this.ctx.state.getUser(userId);
        if (!user) throw new TypeError("Cannot read properties of undefined (reading 'id')");
        setUserActiveStatus(this.ctx.state, user._id, false, confirmRelinquish === true);
        return true;
    }
}
