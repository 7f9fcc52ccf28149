// Ctrl-C on the agent's terminal reaches its measuring child as well. The search must not record that
// as the candidate failing: the agent answers 503 and the client gives the candidate back.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError, agentEvaluators } from '../../src/agent/client.js';
import { startAgent, type RunningAgent } from '../../src/agent/server.js';
import type { ArchConfig } from '../../src/space/types.js';
import { tinyConfig, tinyDevice, TOKEN } from './helpers.js';

let agent: RunningAgent;
// A measurement that runs until it is stopped: the CI target is unreachable and the caps are large
// (the search sends its protocol with each request, so the client's profile carries it).
const device = tinyDevice({ protocol: { warmupMin: 1, warmupMax: 2, minRuns: 1_000_000, maxRuns: 2_000_000, maxSeconds: 120, targetRelCi: 1e-9 } });
beforeAll(async () => {
  agent = await startAgent({ device, token: TOKEN, port: 0 });
});
afterAll(async () => {
  await agent?.close();
});

function workerChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'worker.js'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('agent measuring child stopped by a signal', () => {
  it('is answered 503 and the client rejects (candidate handed back), not a recorded failure', async () => {
    const [ev] = agentEvaluators({ ...device, agents: { urls: [agent.url] } }, { env: { LTS_AGENT_TOKEN: TOKEN }, retries: 0 });
    const pending = ev!.evaluate(tinyConfig() as unknown as ArchConfig, { metrics: ['latency'], seed: 1 }).then(
      (m) => m,
      (e: unknown) => e,
    );
    let kids: number[] = [];
    while ((kids = workerChildren()).length === 0) await new Promise((r) => setTimeout(r, 20));
    // Let it get into its runs, then deliver what a terminal's Ctrl-C delivers.
    await new Promise((r) => setTimeout(r, 500));
    for (const pid of kids) process.kill(pid, 'SIGINT');
    const out = await pending;
    expect(out).toBeInstanceOf(AgentError);
    expect((out as AgentError).message).toMatch(/measurement interrupted on the agent \(crashed: signal SIGINT/);
  }, 60_000);
});
