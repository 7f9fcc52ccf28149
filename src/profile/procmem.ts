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
export const hwmMb = (): number | undefined => statusField('self', 'VmHWM');
export const rssMb = (pid: number | 'self' = 'self'): number | undefined => statusField(pid, 'VmRSS');

/** Writing 5 to clear_refs resets VmHWM to the current RSS, so load and inference peaks can be taken apart. */
export function resetHwm(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
