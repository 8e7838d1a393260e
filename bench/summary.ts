/**
 * npx tsx bench/summary.ts [users=100000]
 *
 * Times the workspace summary (`directory.summary`'s core) over a directory
 * of the demo workspace's users, in this process: the column scan alone,
 * without HTTP or the engine. Prints the median and the slowest of 30 runs.
 */
import { toAppUser } from '../host/convert';
import { generateDemoWorkspace } from '../host';
import { Directory } from '../src/core/directory';
import { EngineUser, toUserRecord } from '../src/core/record';
import { summarize } from '../src/core/seats/summary';

const size = Number(process.argv[2] ?? 100_000);
const workspace = generateDemoWorkspace({ users: size });
const directory = new Directory(workspace.users.map((user) => toUserRecord(toAppUser(user) as unknown as EngineUser)));

const times: number[] = [];
let seats = 0;
for (let run = 0; run < 30; run++) {
    const started = process.hrtime.bigint();
    seats = summarize(directory, Date.now(), Date.now()).seats;
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`${directory.size} users, ${seats} seats: median ${times[15].toFixed(1)} ms, slowest ${times[29].toFixed(1)} ms of ${times.length} runs`);
