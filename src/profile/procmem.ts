// Linux process memory from /proc: the kernel's high-water mark is the only honest peak (reference §7).
import { readFileSync, writeFileSync } from 'node:fs';

function statusField(pid: number | 'self', field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set since start or the last resetHwm(), in MB (undefined off Linux). */
export const hwmMb = (pid: number | 'self' = 'self'): number | undefined => statusField(pid, 'VmHWM');
export const rssMb = (pid: number | 'self' = 'self'): number | undefined => statusField(pid, 'VmRSS');

/** Writing 5 to clear_refs resets VmHWM (another process's: same user, as for a browser's renderer) to the current RSS, so load and inference peaks can be taken apart. */
export function resetHwm(pid: number | 'self' = 'self'): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
