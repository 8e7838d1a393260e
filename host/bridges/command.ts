/** Rocket.Chat's AppCommandsBridge: the slash commands registered on this instance. */
import type { ISlashCommand } from '@rocket.chat/apps-engine/definition/slashcommands';

import type { InstanceContext } from './context';

export class HostCommandBridge {
    readonly commands = new Map<string, { command: ISlashCommand | { command: string }; appId: string; enabled: boolean }>();

    constructor(private readonly ctx: InstanceContext) {}

    async doesCommandExist(command: string): Promise<boolean> {
        return typeof command === 'string' && command.length > 0 && this.commands.has(command.toLowerCase());
    }

    async enableCommand(command: string): Promise<void> {
        const entry = this.commands.get(String(command).toLowerCase());
        if (!entry || entry.enabled) throw new Error(`The command is not currently disabled: "${command}"`);
        entry.enabled = true;
    }

    async disableCommand(command: string): Promise<void> {
        const entry = this.commands.get(String(command).toLowerCase());
        if (!entry) throw new Error(`Command does not exist in the system currently: "${command}"`);
        entry.enabled = false;
    }

    async modifyCommand(command: ISlashCommand, appId: string): Promise<void> {
        const key = command.command.toLowerCase();
        if (!this.commands.has(key)) throw new Error(`Command does not exist in the system currently (or it is disabled): "${key}"`);
        this.commands.set(key, { command, appId, enabled: true });
    }

    async registerCommand(command: ISlashCommand, appId: string): Promise<void> {
        if (typeof command !== 'object' || typeof command.command !== 'string') {
            throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
        }
        this.commands.set(command.command.toLowerCase(), { command, appId, enabled: true });
        this.ctx.log(`registered slash command /${command.command.toLowerCase()}`);
    }

    async unregisterCommand(command: string): Promise<void> {
        this.commands.delete(String(command).toLowerCase());
    }
}
