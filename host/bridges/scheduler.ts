import { IOnetimeSchedule, IProcessor, IRecurringSchedule, StartupType } from '@rocket.chat/apps-engine/definition/scheduler';

import type { Processor } from '../jobs';
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
        const started: Array<Promise<void | string>> = [];
        for (const entry of processors) {
            const { id, startupSetting: startup } = entry;
            // The engine hands over its own wrapper (bound, taking the job's context alone), not the app's processor.
            this.ctx.store.jobs.define(this.ctx.number, id, entry.processor.bind(entry) as unknown as Processor);
            if (startup?.type === StartupType.ONETIME) {
                // Only when no one-time job of that name is waiting (scheduleOnceAfterRegister).
                if (!this.ctx.store.jobs.find({ name: id, type: 'normal' }).length) {
                    started.push(this.scheduleOnce({ id, when: startup.when, data: startup.data }, appId));
                }
            } else if (startup?.type === StartupType.RECURRING) {
                started.push(this.scheduleRecurring({ id, interval: startup.interval, skipImmediate: startup.skipImmediate, data: startup.data }, appId));
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
