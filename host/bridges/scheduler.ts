import type { IOnetimeSchedule, IProcessor, IRecurringSchedule } from '@rocket.chat/apps-engine/definition/scheduler';

import { parseInterval, parseWhen } from '../schedule';
import type { InstanceContext } from './context';

/** A 24-hex job id (Agenda's ObjectId) as opposed to a processor name. */
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Rocket.Chat's AppSchedulerBridge (Agenda) over the shared job store: the
 * processors are this instance's, the jobs everybody's. See jobs.ts.
 */
export class HostSchedulerBridge {
    constructor(private readonly ctx: InstanceContext) {}

    async registerProcessors(processors: Array<IProcessor>, appId: string): Promise<void | Array<string>> {
        const started: Array<Promise<string | undefined>> = [];
        for (const { id, processor, startupSetting } of processors) {
            this.ctx.store.jobs.define(this.ctx.number, id, processor as unknown as (context: Record<string, unknown>) => Promise<unknown>);
            const startup = startupSetting as
                undefined | { type: string; when?: string | Date; interval?: string | number; skipImmediate?: boolean; data?: object };
            if (startup?.type === 'onetime') {
                // Only when no one-time job of that name is waiting (scheduleOnceAfterRegister).
                if (!this.ctx.store.jobs.find({ name: id, type: 'normal' }).length) {
                    started.push(this.scheduleOnce({ id, when: startup.when as string | Date, data: startup.data }, appId) as Promise<string | undefined>);
                }
            } else if (startup?.type === 'recurring') {
                started.push(
                    this.scheduleRecurring(
                        { id, interval: startup.interval as string | number, skipImmediate: startup.skipImmediate, data: startup.data },
                        appId,
                    ) as Promise<string | undefined>,
                );
            }
        }
        if (started.length) return (await Promise.all(started)).filter((x): x is string => !!x);
    }

    /** Agenda `schedule`: always a new job, even when one with that name exists. */
    async scheduleOnce(job: IOnetimeSchedule, appId: string): Promise<void | string> {
        try {
            return this.ctx.store.jobs.schedule(job.id, parseWhen(job.when), { ...(job.data || {}), appId }).id;
        } catch (e) {
            // Rocket.Chat logs a scheduling error and returns nothing.
            this.ctx.log(`scheduleOnce ${job.id}: ${(e as Error).message}`);
        }
    }

    /** Agenda `every`: one job per name, updated by a later call. */
    async scheduleRecurring(job: IRecurringSchedule, appId: string): Promise<void | string> {
        try {
            return this.ctx.store.jobs.every(job.id, parseInterval(job.interval), { ...(job.data || {}), appId }, !!job.skipImmediate).id;
        } catch (e) {
            this.ctx.log(`scheduleRecurring ${job.id}: ${(e as Error).message}`);
        }
    }

    /** By job id when given one (`<id>_<appId>` from the engine), else by processor name. */
    async cancelJob(jobId: string): Promise<void> {
        const head = jobId.split('_')[0];
        this.ctx.store.jobs.cancel(OBJECT_ID.test(head) ? { id: head } : { name: jobId });
    }

    async cancelAllJobs(appId: string): Promise<void> {
        this.ctx.store.jobs.cancel({ nameEndsWith: `_${appId}` });
    }
}
