// Shared pieces for the agent tests: a tiny, fast device profile and tiny configs, agents started on
// loopback with ephemeral ports (in-process, or as a child process running the compiled `lts agent`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadDevice } from '../../src/profile/index.js';
import type { DeviceProfile } from '../../src/profile/types.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function tmp(prefix = 'lts-agent-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** This machine's cpu profile with tiny shapes and a tight protocol: a measurement takes well under a second or two. */
export function tinyDevice(over: Partial<DeviceProfile> = {}): DeviceProfile {
  const cpu = loadDevice('cpu');
  return {
    ...cpu,
    name: 'cpu-tiny',
    description: 'agent tests: cpu with tiny shapes and a short protocol',
    shapes: { batch: 1, seq: 8, mem_len: 8, context: 8 },
    protocol: { warmupMin: 1, warmupMax: 2, minRuns: 2, maxRuns: 3, maxSeconds: 1, targetRelCi: 0.5 },
    limits: { memoryMb: 2048, timeoutS: 60 },
    ...over,
  };
}

export function tinyConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { family: 'gpt2', n_layer: 1, d_model: 16, d_inner: [32], n_head: [2], div_val: 0, d_embed: 16, vocab_size: 64, cutoffs: [], n_positions: 16, ...over };
}

/** Gene choices for a search over tiny GPT-2s only (passed to searchSpaces). */
export const TINY_SPACE = {
  n_layer: [1, 2],
  d_model: [16, 32],
  d_inner: [64, 96, 128],
  n_head: [2, 4],
  div_val: [0],
  vocab_size: 64,
  cutoffs: [],
  n_positions: 16,
};

export interface ChildAgent {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Runs the compiled `lts agent` command in a child process, as a user would; resolves with its bound URL. */
export async function startChildAgent(device: DeviceProfile, extraArgs: string[] = []): Promise<ChildAgent> {
  const dir = tmp('lts-agent-dev-');
  const devFile = join(dir, `${device.name}.json`);
  writeFileSync(devFile, JSON.stringify(device));
  const proc = spawn(process.execPath, [join(ROOT, 'test', 'agent', 'run-agent.mjs'), '--device', devFile, '--port', '0', ...extraArgs], {
    env: { ...process.env, LTS_AGENT_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (l) => {
      try {
        const ev = JSON.parse(l) as { event?: string; url?: string };
        if (ev.event === 'listening' && ev.url) resolve(ev.url);
      } catch {
        /* not our line */
      }
    });
    proc.on('exit', (code) => reject(new Error(`agent exited with ${code} before listening: ${stderr}`)));
  });
  return {
    url,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}
