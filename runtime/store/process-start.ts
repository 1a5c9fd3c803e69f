// When a process started, as the operating system tells it: a pid alone does not name a process for
// long (pids are reused, after a reboot or in a new container), a pid with its start time does.
import { readFile } from 'node:fs/promises';

/**
 * An opaque token for the start of process `pid` on this machine: the boot's id and the start time in
 * clock ticks since boot (/proc/PID/stat, field 22). Equal tokens mean the same process. Undefined
 * where the OS does not say (no /proc) or the process does not exist.
 */
export async function processStartOf(pid: number): Promise<string | undefined> {
  try {
    const [stat, bootId] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), bootIdentity()]);
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[STARTTIME_FIELD - 3];
    return startTicks !== undefined && /^\d+$/.test(startTicks) ? `${bootId}/${startTicks}` : undefined;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (fields counted from 1): the start time in clock ticks after boot. */
const STARTTIME_FIELD = 22;

let bootId: Promise<string> | undefined;

function bootIdentity(): Promise<string> {
  bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((text) => text.trim(), () => 'unknown-boot');
  return bootId;
}
