import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';

/** The app user's messages: what a run leaves where people read it later. */

export async function appUserOf(read: IRead): Promise<IUser> {
    const appUser = await read.getUserReader().getAppUser();
    if (!appUser) throw new Error('The app user is missing');
    return appUser;
}

/** The direct room of the app user and `user`, created when there is none. */
export async function directRoomWith(user: IUser, appUser: IUser, read: IRead, modify: IModify): Promise<IRoom> {
    const usernames = [appUser.username, user.username];
    const existing = await read
        .getRoomReader()
        .getDirectByUsernames(usernames)
        .catch(() => undefined);
    if (existing) return existing;
    const creator = modify.getCreator();
    const roomId = await creator.finish(creator.startRoom().setType(RoomType.DIRECT_MESSAGE).setCreator(appUser).setMembersToBeAddedByUsernames(usernames));
    const created = await read.getRoomReader().getById(roomId);
    if (!created) throw new Error('The direct room could not be created');
    return created;
}

/** A message from the app user; returns its id. */
export async function post(room: IRoom, appUser: IUser, text: string, modify: IModify, blocks?: LayoutBlock[]): Promise<string> {
    const builder = modify.getCreator().startMessage().setRoom(room).setSender(appUser).setText(text);
    if (blocks) builder.setBlocks(blocks);
    return modify.getCreator().finish(builder);
}

export async function uploadCsv(room: IRoom, appUser: IUser, filename: string, csv: string, modify: IModify): Promise<void> {
    await modify.getCreator().getUploadCreator().uploadBuffer(Buffer.from(csv, 'utf8'), { filename, room, user: appUser });
}

/** An ephemeral message: only `user` sees it. */
export async function notify(user: IUser, room: IRoom | undefined, read: IRead, modify: IModify, text: string, blocks?: LayoutBlock[]): Promise<void> {
    if (!room) return;
    const builder = modify.getCreator().startMessage().setRoom(room).setText(text);
    const appUser = await read.getUserReader().getAppUser();
    if (appUser) builder.setSender(appUser);
    if (blocks) builder.setBlocks(blocks);
    await modify.getNotifier().notifyUser(user, builder.getMessage());
}
