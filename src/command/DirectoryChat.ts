import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUIKitResponse, UIKitBlockInteractionContext } from '@rocket.chat/apps-engine/definition/uikit';
import { UIKitIncomingInteractionContainerType } from '@rocket.chat/apps-engine/definition/uikit/UIKitIncomingInteractionContainer';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';

import { toCaller } from '../core/config';
import { canViewSeats } from '../core/seats/summary';
import { ListContext, seesFullUserInfo } from '../core/handlers';
import { translator } from '../i18n';
import { csvColumns, toCsv } from './csv';
import { applyViewAction, renderDirectoryView, ViewFacets } from './directoryView';
import { failureText } from './errors';
import { facetsOf } from './filters';
import { code, text } from './mrkdwn';
import { decodeQuery, DirectoryQuery, emptyQuery, PAGE_SIZE, parseListCommand } from './parse';
import { Action, directMessageUrl, RenderContext, renderHelp, renderListMessage } from './render';
import { collatorFor } from './order';
import { directoryPage, DirectoryPage, selectAll } from './run';
import { summaryViewFor } from './summaryView';
import { reactivateCommand, ReactivationDeps } from '../seats/reactivate';

/** What the chat needs from the app. */
export interface DirectorySource {
    readonly appId: string;
    /** The directory and settings, for a handler the engine called with this persistence writer (the first call waits for the first build). */
    context(persis: IPersistence): Promise<ListContext>;
    logger(): ILogger;
    /** When the directory last changed (ms): the summary's asOf. */
    directoryChangedAt(): number | undefined;
    /** What `/users reactivate` needs of the app: its settings, and the directory to show a reactivated user in. */
    reactivation: ReactivationDeps;
    /** `/users deactivate` and the clicks of its views (src/seats). */
    deactivation: DeactivationEntry;
}

/** A command or click as seat management gets it. */
export interface ChatRequest {
    user: IUser;
    room?: IRoom;
    read: IRead;
    modify: IModify;
    persis: IPersistence;
    http: IHttp;
}

export type Responder = ReturnType<UIKitBlockInteractionContext['getInteractionResponder']>;

/** The review and deactivation of inactive users, as the chat reaches it. */
export interface DeactivationEntry {
    /** `/users deactivate …`: the words after `deactivate`. */
    command(args: readonly string[], request: ChatRequest): Promise<void>;
    /** The action ids of its buttons and inputs. */
    readonly actionIds: readonly string[];
    click(request: ChatRequest, actionId: string, value: string | string[] | undefined, responder: Responder): Promise<IUIKitResponse>;
}

/** One user's command or click: who, where, the engine's accessors, and how the replies are rendered. */
interface Interaction extends ChatRequest {
    render: RenderContext;
    /** The slash command's, so that it can open a contextual bar. */
    triggerId?: string;
}

/** A `/users WORD …` subcommand; any other first word starts a list query. */
interface Subcommand {
    /** Whether the words after the subcommand's fit it; if not, all the words are a list query (`/users help desk` searches). */
    accepts(args: readonly string[]): boolean;
    run(args: readonly string[], chat: Interaction): Promise<void>;
}

/** A click on a button or a change of an input. */
interface Click {
    chat: Interaction;
    actionId: string;
    /** A multi-select sends its chosen values as a list (the engine's type says a string). */
    value: string | string[] | undefined;
    /** In a contextual bar (not a message). */
    inView: boolean;
    responder: Responder;
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

    /** `/users WORD`: a new subcommand is one entry here. */
    private readonly subcommands = new Map<string, Subcommand>([
        ['help', { accepts: (args) => args.length === 0, run: (_args, chat) => this.help(chat) }],
        ['?', { accepts: (args) => args.length === 0, run: (_args, chat) => this.help(chat) }],
        ['summary', { accepts: (args) => args.length === 0, run: (_args, chat) => this.openSummary(chat) }],
        ['reactivate', { accepts: () => true, run: (args, chat) => reactivateCommand(args, { ...chat, caller: chat.user }, this.source.reactivation) }],
        ['deactivate', { accepts: () => true, run: (args, chat) => this.source.deactivation.command(args, chat) }],
    ]);

    constructor(private readonly source: DirectorySource) {
        for (const actionId of source.deactivation.actionIds) {
            this.actions.set(actionId, ({ chat, value, responder }) => source.deactivation.click(chat, actionId, value, responder));
        }
    }

    slashCommand(): ISlashCommand {
        return {
            command: 'users',
            i18nParamsExample: 'command_params',
            i18nDescription: 'command_description',
            providesPreview: false,
            executor: (context, read, modify, http, persis) => this.runCommand(context, read, modify, persis, http),
        };
    }

    async runCommand(context: SlashCommandContext, read: IRead, modify: IModify, persis: IPersistence, http: IHttp): Promise<void> {
        const chat = { ...(await this.interaction(context.getSender(), context.getRoom(), read, modify, persis, http)), triggerId: context.getTriggerId() };
        await this.guard(chat, async () => {
            const [first = '', ...rest] = context.getArguments().filter((word) => word.length > 0);
            const subcommand = this.subcommands.get(first.toLowerCase());
            if (subcommand?.accepts(rest)) {
                return subcommand.run(rest, chat);
            }
            const { query, exportCsv } = parseListCommand(context.getArguments());
            return exportCsv ? this.exportCsv(chat, query) : this.list(chat, query);
        });
    }

    /** Buttons and inputs by action id; a new view adds its own here (the directory's contextual bar takes every other action). */
    private readonly actions = new Map<string, (click: Click) => Promise<IUIKitResponse>>([
        [
            Action.export,
            async ({ chat, value, responder }) => {
                await this.guard(chat, () => this.exportCsv(chat, decodeQuery(single(value))));
                return responder.successResponse();
            },
        ],
        // From the directory's bar the summary replaces it (another view); Refresh updates it in place.
        [Action.summary, (click) => this.summaryView(click, 'open')],
        [Action.summaryRefresh, (click) => this.summaryView(click, 'update')],
    ]);

    async handleBlockAction(context: UIKitBlockInteractionContext, read: IRead, modify: IModify, persis: IPersistence, http: IHttp): Promise<IUIKitResponse> {
        const data = context.getInteractionData();
        const click: Click = {
            chat: await this.interaction(data.user, data.room, read, modify, persis, http),
            actionId: data.actionId,
            value: data.value,
            inView: data.container?.type === UIKitIncomingInteractionContainerType.VIEW,
            responder: context.getInteractionResponder(),
        };
        const handler = this.actions.get(click.actionId);
        return handler ? handler(click) : this.directoryView(click);
    }

    /**
     * The directory in the contextual bar. Paging opens it (from a message) or
     * updates it in place: browsing never posts to the room.
     */
    private async directoryView({ chat, actionId, value, inView, responder }: Click): Promise<IUIKitResponse> {
        const opens = actionId === Action.open || (actionId === Action.page && !inView);
        const current = this.openViews.get(chat.user.id) ?? emptyQuery();
        const query = actionId === Action.open || actionId === Action.page ? decodeQuery(single(value)) : applyViewAction(current, actionId, value);
        try {
            const page = await this.page(chat, query);
            const view = renderDirectoryView(page, chat.render, await this.viewFacets(chat, page));
            this.remember(chat.user.id, page.query);
            return opens ? responder.openContextualBarViewResponse(view) : responder.updateContextualBarViewResponse(view);
        } catch (error) {
            await this.reportFailure(chat, error);
            return responder.errorResponse();
        }
    }

    private async summaryView({ chat, responder }: Click, how: 'open' | 'update'): Promise<IUIKitResponse> {
        try {
            const view = await this.summary(chat);
            return how === 'open' ? responder.openContextualBarViewResponse(view) : responder.updateContextualBarViewResponse(view);
        } catch (error) {
            await this.reportFailure(chat, error);
            return responder.errorResponse();
        }
    }

    /** `/users summary`: the Summary view in the contextual bar. */
    private async openSummary(chat: Interaction): Promise<void> {
        const view = await this.summary(chat);
        await chat.modify.getUiController().openContextualBarView(view, { triggerId: chat.triggerId ?? '' }, chat.user);
    }

    private async summary(chat: Interaction) {
        const clock = { now: Date.now(), asOf: this.source.directoryChangedAt() };
        return summaryViewFor(toCaller(chat.user), await this.source.context(chat.persis), chat.render, clock);
    }

    forget(userId: string): void {
        this.openViews.delete(userId);
    }

    private remember(userId: string, query: DirectoryQuery): void {
        this.openViews.delete(userId);
        if (this.openViews.size >= MAX_REMEMBERED_VIEWS) {
            const [oldest] = this.openViews.keys();
            this.openViews.delete(oldest);
        }
        this.openViews.set(userId, query);
    }

    private async interaction(user: IUser, room: IRoom | undefined, read: IRead, modify: IModify, persis: IPersistence, http: IHttp): Promise<Interaction> {
        const siteUrl: unknown = await read
            .getEnvironmentReader()
            .getServerSettings()
            .getValueById('Site_Url')
            .catch(() => '');
        const t = translator(languageOf(user));
        const render = { appId: this.source.appId, t, siteUrl: typeof siteUrl === 'string' ? siteUrl.replace(/\/+$/, '') : '' };
        return { user, room, read, modify, persis, http, render };
    }

    /** `/users help`: the filters; admins also see theirs, with the workspace's custom fields. */
    private async help(chat: Interaction): Promise<void> {
        const context = await this.source.context(chat.persis);
        const admin = seesFullUserInfo(toCaller(chat.user), context.config)
            ? { customFields: [...facetsOf(context.directory).customFields.keys()] }
            : undefined;
        const help = renderHelp(chat.render, admin, {
            summary: canViewSeats(toCaller(chat.user), context.config),
            seats: (chat.user.roles ?? []).includes('admin'),
        });
        return this.notify(chat, help.text, help.blocks);
    }

    private async list(chat: Interaction, query: DirectoryQuery): Promise<void> {
        const reply = renderListMessage(await this.page(chat, query), chat.render);
        return this.notify(chat, reply.text, reply.blocks);
    }

    private async page(chat: Interaction, query: DirectoryQuery): Promise<DirectoryPage> {
        return directoryPage(query, toCaller(chat.user), await this.source.context(chat.persis), PAGE_SIZE, collatorOf(chat.user));
    }

    /** The workspace's roles, for admins its custom fields with few enough values to pick from, and whether the summary is the caller's to see. */
    private async viewFacets(chat: Interaction, page: DirectoryPage): Promise<ViewFacets> {
        const context = await this.source.context(chat.persis);
        const facets = facetsOf(context.directory);
        return {
            roles: facets.roles,
            customFields: page.privileged ? [...facets.customFields].filter(([, values]) => values.length > 0) : [],
            summary: canViewSeats(toCaller(chat.user), context.config),
        };
    }

    /** Sends the whole filtered list as a CSV file in the caller's direct messages with the app user. */
    private async exportCsv(chat: Interaction, query: DirectoryQuery): Promise<void> {
        const { user, room, read, modify, render } = chat;
        const { t } = render;
        // The whole list, not a page, in the order the chat shows it: the API's page limits do not apply to an export.
        const { listing, privileged } = selectAll(query, toCaller(user), await this.source.context(chat.persis), collatorOf(user));
        if (listing.total === 0) {
            return this.notify(chat, t('export_empty'));
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
                chat,
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
    private async notify({ user, room, read, modify }: Interaction, text: string, blocks?: LayoutBlock[]): Promise<void> {
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
    private async guard(chat: Interaction, action: () => Promise<void>): Promise<void> {
        try {
            await action();
        } catch (error) {
            await this.reportFailure(chat, error);
        }
    }

    /** The user reads what went wrong, by its kind; an unexpected failure gets a short apology (and the log). */
    private async reportFailure(chat: Interaction, error: unknown): Promise<void> {
        const explained = failureText(error, chat.render.t);
        if (explained === undefined) {
            this.source.logger().error('The /users command failed', error);
        }
        await this.notify(chat, explained ?? chat.render.t('unavailable'));
    }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const languageOf = (user: IUser): string | undefined => user.settings?.preferences?.language;

/** The order of the caller's language, for the lists the chat shows. */
const collatorOf = (user: IUser): Intl.Collator => collatorFor(languageOf(user));
