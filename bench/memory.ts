import * as fs from 'fs';

/** A process's resident memory in MB (from /proc), or null where it cannot be read. */
export function rssMb(pid: number | undefined): number | null {
    if (!pid) return null;
    try {
        const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        return match ? Math.round(Number(match[1]) / 1024) : null;
    } catch {
        return null;
    }
}
