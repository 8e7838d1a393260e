import type { ILogger, IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUIKitResponse, UIKitBlockInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';

import { facetsOf } from '../core/chatFilters';
import { toCaller } from '../core/config';
import { ListContext, seesFullUserInfo } from '../core/handlers';
import { Translate, translator } from '../i18n';
import { csvColumns, toCsv } from './csv';
import { code, text } from './mrkdwn';
import { CommandError, decodeQuery, DirectoryQuery, emptyQuery, PAGE_SIZE, parseCommand } from './parse';
import { Action, applyViewAction, directMessageUrl, RenderContext, renderDirectoryView, renderHelp, renderListMessage, ViewFacets } from './render';
import { collatorFor } from './order';
import { directoryPage, DirectoryPage, selectAll } from './run';

/** What the chat needs from the app. */
export interface DirectorySource {
    readonly appId: string;
    context(): Promise<ListContext>;
    logger(): ILogger;
}

const MAX_REMEMBERED_VIEWS = 10_000;

/**
 * The directory in the chat: the `/users` command, its buttons, the
 * contextual bar and the CSV export. A thin adapter: parsing and rendering
 * are pure, and every list comes from the endpoints' core.
 */
export class DirectoryChat {
    /** The query each user's contextual bar shows, so that a select change keeps the other filters. */
    private readonly openViews = new Map<string, DirectoryQuery>();

    constructor(private readonly source: DirectorySource) {}

    slashCommand(): ISlashCommand {
        return {
            command: 'users',
            i18nParamsExample: 'command_params',
            i18nDescription: 'command_description',
            providesPreview: false,
            executor: (context, read, modify) => this.runCommand(context, read, modify),
        };
    }

    async runCommand(context: SlashCommandContext, read: IRead, modify: IModify): Promise<void> {
        const user = context.getSender();
        const room = context.getRoom();
        const t = translatorFor(user);
        await this.guard(user, room, read, modify, t, async () => {
            const command = parseCommand(context.getArguments());
            const render = await this.renderContext(read, t);
            if (command.kind === 'help') {
                const listContext = await this.source.context();
                const admin = seesFullUserInfo(toCaller(user), listContext.config)
                    ? { customFields: [...facetsOf(listContext.directory).customFields.keys()] }
                    : undefined;
                const help = renderHelp(render, admin);
                return this.notify(user, room, read, modify, help.text, help.blocks);
            }
            if (command.exportCsv) {
                return this.exportCsv(user, room, command.query, read, modify, render);
            }
            const reply = renderListMessage(await this.page(command.query, user), render);
            return this.notify(user, room, read, modify, reply.text, reply.blocks);
        });
    }

    /**
     * Buttons and the contextual bar. Paging opens the contextual bar (from a
     * message) or updates it in place: browsing never posts to the room.
     */
    async handleBlockAction(context: UIKitBlockInteractionContext, read: IRead, modify: IModify): Promise<IUIKitResponse> {
        const data = context.getInteractionData();
        const responder = context.getInteractionResponder();
        const { user, room, actionId } = data;
        // A multi-select sends its chosen values as a list.
        const value = data.value as string | string[] | undefined;
        const t = translatorFor(user);
        const inView = (data.container?.type as string | undefined) === 'view';
        const render = await this.renderContext(read, t);

        if (actionId === Action.export) {
            await this.guard(user, room, read, modify, t, () => this.exportCsv(user, room, decodeQuery(single(value)), read, modify, render));
            return responder.successResponse();
        }
        const opens = actionId === Action.open || (actionId === Action.page && !inView);
        const current = this.openViews.get(user.id) ?? emptyQuery();
        const query = actionId === Action.open || actionId === Action.page ? decodeQuery(single(value)) : applyViewAction(current, actionId, value);
        try {
            const page = await this.page(query, user);
            const view = renderDirectoryView(page, render, await this.viewFacets(page));
            this.remember(user.id, page.query);
            return opens ? responder.openContextualBarViewResponse(view) : responder.updateContextualBarViewResponse(view);
        } catch (error) {
            await this.reportFailure(error, user, room, read, modify, t);
            return responder.errorResponse();
        }
    }

    forget(userId: string): void {
        this.openViews.delete(userId);
    }

    private remember(userId: string, query: DirectoryQuery): void {
        this.openViews.delete(userId);
        if (this.openViews.size >= MAX_REMEMBERED_VIEWS) {
            this.openViews.delete(this.openViews.keys().next().value as string);
        }
        this.openViews.set(userId, query);
    }

    private async page(query: DirectoryQuery, user: IUser): Promise<DirectoryPage> {
        return directoryPage(query, toCaller(user), await this.source.context(), PAGE_SIZE, collatorFor(languageOf(user)));
    }

    /** The workspace's roles, and for admins its custom fields with few enough values to pick from. */
    private async viewFacets(page: DirectoryPage): Promise<ViewFacets> {
        const facets = facetsOf((await this.source.context()).directory);
        return { roles: facets.roles, customFields: page.privileged ? [...facets.customFields].filter(([, values]) => values.length > 0) : [] };
    }

    private async renderContext(read: IRead, t: Translate): Promise<RenderContext> {
        const siteUrl: unknown = await read
            .getEnvironmentReader()
            .getServerSettings()
            .getValueById('Site_Url')
            .catch(() => '');
        return { appId: this.source.appId, t, siteUrl: typeof siteUrl === 'string' ? siteUrl.replace(/\/+$/, '') : '' };
    }

    /** Sends the whole filtered list as a CSV file in the caller's direct messages with the app user. */
    private async exportCsv(user: IUser, room: IRoom | undefined, query: DirectoryQuery, read: IRead, modify: IModify, render: RenderContext): Promise<void> {
        const { t } = render;
        // The whole list, not a page, in the order the chat shows it.
        const { listing, privileged } = selectAll(query, toCaller(user), await this.source.context(), collatorFor(languageOf(user)));
        if (listing.total === 0) {
            return this.notify(user, room, read, modify, t('export_empty'));
        }
        const rows = (function* () {
            for (const record of listing.records) {
                yield listing.shape(record);
            }
        })();
        const csv = toCsv(rows, csvColumns(query.list, privileged));

        const appUser = await read.getUserReader().getAppUser();
        if (!appUser) {
            throw new Error('The app user is missing');
        }
        const directRoom = await this.directRoom(appUser, user, read, modify);
        const filename = `${query.list}-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}.csv`;
        await modify.getCreator().getUploadCreator().uploadBuffer(Buffer.from(csv, 'utf8'), { filename, room: directRoom, user: appUser });
        if (room && room.id !== directRoom.id) {
            const bot = appUser.username;
            await this.notify(
                user,
                room,
                read,
                modify,
                t.count('export_sent', listing.total, { file: code(filename), bot: text(bot), url: directMessageUrl(render.siteUrl, bot) }),
            );
        }
    }

    private async directRoom(appUser: IUser, user: IUser, read: IRead, modify: IModify): Promise<IRoom> {
        const usernames = [appUser.username, user.username];
        const existing = await read
            .getRoomReader()
            .getDirectByUsernames(usernames)
            .catch(() => undefined);
        if (existing) {
            return existing;
        }
        const creator = modify.getCreator();
        const roomId = await creator.finish(creator.startRoom().setType(RoomType.DIRECT_MESSAGE).setCreator(appUser).setMembersToBeAddedByUsernames(usernames));
        const created = await read.getRoomReader().getById(roomId);
        if (!created) {
            throw new Error('The direct room could not be created');
        }
        return created;
    }

    /** An ephemeral message: only the user sees it. */
    private async notify(user: IUser, room: IRoom | undefined, read: IRead, modify: IModify, text: string, blocks?: LayoutBlock[]): Promise<void> {
        if (!room) {
            return;
        }
        const builder = modify.getCreator().startMessage().setRoom(room).setText(text);
        const appUser = await read.getUserReader().getAppUser();
        if (appUser) {
            builder.setSender(appUser);
        }
        if (blocks) {
            builder.setBlocks(blocks);
        }
        await modify.getNotifier().notifyUser(user, builder.getMessage());
    }

    /** Runs an action, reporting any failure to the user. */
    private async guard(user: IUser, room: IRoom | undefined, read: IRead, modify: IModify, t: Translate, action: () => Promise<void>): Promise<void> {
        try {
            await action();
        } catch (error) {
            await this.reportFailure(error, user, room, read, modify, t);
        }
    }

    /** A user's mistake gets a friendly reply with a pointer to help; anything else a short apology (and the log). */
    private async reportFailure(error: unknown, user: IUser, room: IRoom | undefined, read: IRead, modify: IModify, t: Translate): Promise<void> {
        if (error instanceof CommandError) {
            const hint = error.key === 'not_allowed' || error.key === 'command_error_usage' ? '' : `\n${t('command_error_usage')}`;
            // What the user typed is shown as code; numbers as they are.
            const values = Object.fromEntries(Object.entries(error.values).map(([name, value]) => [name, /^\d+$/.test(value) ? value : code(value)]));
            await this.notify(user, room, read, modify, `${t(error.key, values)}${hint}`);
            return;
        }
        this.source.logger().error('The /users command failed', error);
        await this.notify(user, room, read, modify, t('unavailable'));
    }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const languageOf = (user: IUser): string | undefined => user.settings?.preferences?.language;

function translatorFor(user: IUser): Translate {
    return translator(languageOf(user));
}
