/** Rocket.Chat's AppEnvironmentalVariableBridge: only the variables it lets apps read. */
import type { InstanceContext } from './context';

export class HostEnvironmentalVariableBridge {
    private readonly allowed = ['NODE_ENV', 'ROOT_URL', 'INSTANCE_IP'];

    constructor(private readonly ctx: InstanceContext) {}

    private _values(): Record<string, string> {
        return { NODE_ENV: process.env.NODE_ENV || 'development', ROOT_URL: this.ctx.siteUrl(), INSTANCE_IP: '127.0.0.1' };
    }

    async getValueByName(envVarName: string): Promise<string | undefined> {
        return (await this.isReadable(envVarName)) ? this._values()[envVarName.toUpperCase()] : undefined;
    }

    async isReadable(envVarName: string): Promise<boolean> {
        return this.allowed.includes(String(envVarName).toUpperCase());
    }

    async isSet(envVarName: string): Promise<boolean> {
        return (await this.isReadable(envVarName)) && this._values()[envVarName.toUpperCase()] !== undefined;
    }
}
