// One measuring child process and the tasks it runs, under the device's time and memory limits. A fresh
// child runs one task and exits ('once'); a warm child runs task after task ('keep') until it is closed
// or fails. Every way a child can fail becomes an error string, never an exception.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { workerPath } from './paths.js';
import { rssMb } from './procmem.js';
import type { DeviceProfile } from './types.js';
import { TASK_END, type WorkerReply, type WorkerSignal, type WorkerTask } from './wire.js';

export interface ChildHooks {
  /** Called with the child's pid when a task starts in it (logging; tests use it to crash the child). */
  onStart?: (pid: number) => void;
  /** Progress: 'export prefill', 'session prefill', 'measure prefill', ... */
  onPhase?: (phase: string) => void;
  /**
   * The device's turn (gate.ts DeviceGate.acquire): a measure task then waits for it before each timed
   * phase. The task's time limit does not run while it waits.
   */
  turn?: () => Promise<() => void>;
}

/** When a gated task held the device: the time it waited for its turns and its first turn's start and last turn's end (epoch ms). */
export interface TurnTimes {
  wait_ms: number;
  turn_start?: number;
  turn_end?: number;
}

export type ChildOutcome<R> = { reply?: R; error?: string; placementLines: string[]; vulkan?: string; turns?: TurnTimes };

/**
 * Dawn says why WebGPU found no adapter only as a warning on stderr; this turns such a line into the
 * reason the probe reports (a missing Vulkan loader, or a driver lacking what WebGPU needs).
 */
export function vulkanReason(line: string): string | undefined {
  const vk = line.match(/Couldn't load Vulkan: ([^:]+)/);
  if (vk) return `Vulkan not loadable (${vk[1]!.trim()} missing)`;
  const missing = line.match(/^Warning: (Vulkan .* required)\.?$/);
  if (missing) return `the Vulkan driver lacks a WebGPU requirement: ${missing[1]}`;
  return undefined;
}

interface Running {
  seq: number;
  limits: DeviceProfile['limits'];
  keep: boolean;
  hooks: ChildHooks;
  reply?: unknown;
  ended: boolean;
  killedFor?: string;
  placementLines: string[];
  vulkan?: string;
  lastErr: string;
  timers: NodeJS.Timeout[];
  /** The time limit: its timer, when it was armed, and what is left of it (it pauses while the task waits for its turn). */
  limit: { timer?: NodeJS.Timeout; armedAt: number; leftMs: number };
  turns?: TurnTimes;
  /** Ends the device turn the task holds. */
  endTurn?: () => void;
  resolve: (o: ChildOutcome<unknown>) => void;
}

let nextSeq = 1;

export class WorkerProcess {
  private readonly child: ChildProcess | undefined;
  private readonly startError: string | undefined;
  private current: Running | undefined;
  private partial = '';
  private exited = false;
  /** Tasks this process has been given. */
  tasks = 0;

  constructor() {
    const path = workerPath();
    if (!existsSync(path)) {
      this.startError = `worker not built: ${path} missing (run npm run build)`;
      this.exited = true;
      return;
    }
    const child = fork(path, [], {
      execArgv: ['--expose-gc'],
      // Let glibc hand freed heap back to the OS, so the inference peak counts what the session holds
      // rather than the parse buffers ORT freed after loading (the load peak still shows those). A warm
      // worker needs it too, though it makes every export and session creation fault its pages in anew:
      // with the freed heap kept, the next candidate's weights land in pages the last one used, and a
      // large candidate ran 9 % slower than in a fresh process (bench/warm-heap.ts, README).
      // LTS_KEEP_HEAP=1 leaves glibc's own setting, for bench/warm-heap's comparison only.
      env: process.env.LTS_KEEP_HEAP === '1' ? process.env : { ...process.env, MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? '131072' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    const onData = (chunk: Buffer): void => this.onData(chunk);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('message', (m: WorkerReply) => this.onMessage(m));
    child.on('error', (e) => {
      this.kill(`worker failed to start: ${e.message}`);
      this.exited = true;
      this.finish(`worker failed to start: ${e.message}`);
    });
    // 'close', not 'exit': the last IPC message (the result) can still be in the pipe when 'exit' fires.
    child.on('close', (code, signal) => {
      this.onData(Buffer.from('\n'));
      this.exited = true;
      const r = this.current;
      if (!r) return;
      if (r.reply !== undefined) return this.finish();
      if (r.killedFor) return this.finish(r.killedFor);
      const tail = r.lastErr ? `: ${r.lastErr.slice(0, 300)}` : '';
      // A SIGKILL we did not send is almost always the kernel's OOM killer.
      if (signal === 'SIGKILL') return this.finish(`crashed: signal SIGKILL (killed from outside, likely the kernel OOM killer)${tail}`);
      if (signal) return this.finish(`crashed: signal ${signal}${tail}`);
      this.finish(`crashed: exit code ${code}${tail}`);
    });
  }

  /** Whether the process can take another task. */
  get alive(): boolean {
    return !this.exited && this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Runs one task. 'once': the child exits after it and the outcome comes when it has (all its output
   * read). 'keep': the outcome comes when the reply and the worker's end-of-task line on stderr are both
   * in, and the child waits for the next task.
   */
  run<R>(task: WorkerTask, limits: DeviceProfile['limits'], hooks: ChildHooks, mode: 'once' | 'keep'): Promise<ChildOutcome<R>> {
    if (this.startError) return Promise.resolve({ error: this.startError, placementLines: [] });
    if (this.current) throw new Error('worker process busy');
    if (!this.alive) return Promise.resolve({ error: 'worker process not running', placementLines: [] });
    const seq = nextSeq++;
    this.tasks++;
    return new Promise((resolve) => {
      const r: Running = {
        seq,
        limits,
        keep: mode === 'keep',
        hooks,
        ended: false,
        placementLines: [],
        lastErr: '',
        timers: [],
        limit: { armedAt: 0, leftMs: limits.timeoutS * 1000 },
        resolve: resolve as Running['resolve'],
      };
      this.current = r;
      this.armLimit(r);
      r.timers.push(setInterval(() => this.checkMemory(r), 50));
      if (this.child!.pid !== undefined) hooks.onStart?.(this.child!.pid);
      else this.child!.once('spawn', () => hooks.onStart?.(this.child!.pid!));
      const gated = task.kind === 'measure' && hooks.turn !== undefined;
      if (gated) r.turns = { wait_ms: 0 };
      this.child!.send({ ...task, seq, keep: mode === 'keep', ...(gated ? { gated } : {}) } satisfies WorkerTask);
    });
  }

  private armLimit(r: Running): void {
    r.limit.armedAt = performance.now();
    r.limit.timer = setTimeout(() => this.kill(`timeout after ${r.limits.timeoutS} s`), Math.max(0, r.limit.leftMs));
  }

  /** The worker has its session ready and asks for the device: the limit pauses until the turn comes. */
  private async takeTurn(r: Running): Promise<void> {
    clearTimeout(r.limit.timer);
    r.limit.leftMs -= performance.now() - r.limit.armedAt;
    const t0 = performance.now();
    const end = await r.hooks.turn!();
    // The task ended (killed, crashed) while it waited: the turn is not needed.
    if (this.current !== r || !this.alive) return end();
    r.endTurn = end;
    r.turns!.wait_ms += performance.now() - t0;
    r.turns!.turn_start ??= Date.now();
    this.armLimit(r);
    this.child!.send({ kind: 'go' } satisfies WorkerSignal);
  }

  private endTurn(r: Running): void {
    if (!r.endTurn) return;
    r.turns!.turn_end = Date.now();
    r.endTurn();
    r.endTurn = undefined;
  }

  /** Ends the process (a warm worker being replaced or closed). */
  close(): void {
    if (this.alive) this.child!.kill('SIGKILL');
  }

  /** Kills the child if it is over the task's memory limit; true if it was. */
  private checkMemory(r: Running): boolean {
    const rss = this.child?.pid ? rssMb(this.child.pid) : undefined;
    if (rss === undefined || rss <= r.limits.memoryMb) return false;
    this.kill(`out of memory (limit ${r.limits.memoryMb} MB)`);
    return true;
  }

  private kill(why: string): void {
    if (this.current && this.current.killedFor === undefined) this.current.killedFor = why;
    this.child?.kill('SIGKILL');
  }

  private onData(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop()!;
    const r = this.current;
    for (const raw of lines) {
      const l = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
      if (!r) continue;
      if (l === `${TASK_END} ${r.seq}`) {
        r.ended = true;
        if (r.keep && r.reply !== undefined) this.finish();
        continue;
      }
      if (l.includes('placed on [')) r.placementLines.push(l);
      const vk = vulkanReason(l);
      if (vk) r.vulkan = vk;
      // Verbose/info chatter from session creation is not a reason for anything.
      else if (l !== '' && !/\[[VI]:onnxruntime/.test(l)) r.lastErr = l;
    }
  }

  private onMessage(m: WorkerReply): void {
    const r = this.current;
    if (!r) return;
    if (m.kind === 'phase') return r.hooks.onPhase?.(m.phase);
    if (m.kind === 'turn') return void this.takeTurn(r);
    if (m.kind === 'turn-end') return this.endTurn(r);
    // A warm worker can finish a small model between two polls: its result only counts within the limit.
    if (this.checkMemory(r)) return;
    r.reply = m.result;
    if (r.keep) {
      if (r.ended) this.finish();
      // The end-of-task line normally arrives with the reply; never wait long for what it only delimits.
      else r.timers.push(setTimeout(() => this.finish(), 2000));
    } else {
      // The worker exits by itself; do not let a stuck native thread hold the parent.
      r.timers.push(setTimeout(() => this.child!.kill('SIGKILL'), 5000));
    }
  }

  private finish(error?: string): void {
    const r = this.current;
    if (!r) return;
    this.current = undefined;
    for (const t of r.timers) clearTimeout(t);
    clearTimeout(r.limit.timer);
    // A task that dies during its timed phase must not keep the device from the other lane.
    this.endTurn(r);
    const outcome: ChildOutcome<unknown> = { placementLines: r.placementLines };
    if (r.turns) outcome.turns = r.turns;
    if (r.vulkan) outcome.vulkan = r.vulkan;
    if (r.reply !== undefined) outcome.reply = r.reply;
    if (error !== undefined) outcome.error = error;
    r.resolve(outcome);
  }
}
