// The search loop measuring through `lts agent` processes on loopback: two agents sharing the work, and
// one of them killed mid-search (the search finishes on the other, each candidate recorded once).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentEvaluators } from '../../src/agent/client.js';
import { runSearch, type SearchProgress } from '../../src/search/loop.js';
import { searchSpaces } from '../../src/search/spaces.js';
import type { CandidateRecord, SearchSettings } from '../../src/search/types.js';
import type { DeviceProfile } from '../../src/profile/types.js';
import { startChildAgent, tinyDevice, TINY_SPACE, tmp, TOKEN, type ChildAgent } from './helpers.js';

const running: ChildAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

function settings(dev: DeviceProfile): SearchSettings {
  return {
    metrics: ['latency'],
    families: ['gpt2'],
    shapes: dev.shapes,
    graph: dev.graph,
    protocol: dev.protocol,
    seed: 11,
    param_min: 0,
    param_max: 1e6,
    iterations: 1,
    population: 4,
    parents: 2,
    mutations: 2,
    crossovers: 2,
  };
}

async function twoAgents(): Promise<{ dev: DeviceProfile; agents: ChildAgent[] }> {
  const agentDevice = tinyDevice();
  const agents = await Promise.all([startChildAgent(agentDevice), startChildAgent(agentDevice)]);
  running.push(...agents);
  // The laptop's view of the device: the same settings, measured remotely.
  const dev = tinyDevice({ name: 'remote-tiny', agents: { urlsEnv: 'TEST_AGENTS', tokenEnv: 'TEST_AGENT_TOKEN' } });
  return { dev, agents };
}

function readRecords(dir: string): CandidateRecord[] {
  return readFileSync(join(dir, 'candidates.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CandidateRecord);
}

describe('search through lts agents', () => {
  it('a full tiny search through two agents uses both and records each candidate once', async () => {
    const { dev, agents } = await twoAgents();
    const env = { TEST_AGENTS: agents.map((a) => a.url).join(','), TEST_AGENT_TOKEN: TOKEN };
    const evaluators = agentEvaluators(dev, { env, retries: 1, backoffMs: 50 });
    const out = tmp('lts-agent-search-');
    const s = settings(dev);
    const res = await runSearch({ outDir: out, device: dev, settings: s, evaluators, spaces: searchSpaces(['gpt2'], { min: s.param_min, max: s.param_max }, TINY_SPACE) });

    expect(res.stoppedBy).toBe('iterations');
    const recs = readRecords(out);
    expect(recs.length).toBe(res.history.length);
    expect(recs.length).toBeGreaterThanOrEqual(5);
    expect(new Set(recs.map((r) => r.key)).size).toBe(recs.length);
    expect(recs.every((r) => r.measurement.ok && r.measurement.latency!.median_ms > 0)).toBe(true);
    expect(new Set(recs.map((r) => r.evaluator))).toEqual(new Set(agents.map((a) => `agent ${a.url}`)));
    const pareto = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8'));
    expect(pareto.counts.evaluated).toBe(recs.length);
    expect(pareto.frontier.length).toBeGreaterThanOrEqual(1);
    expect(pareto.fingerprint.runtime.name).toBe('onnxruntime-node');
    await Promise.all(evaluators.map((e) => e.close?.()));
  });

  it('an agent killed mid-search: the search finishes on the other, each candidate exactly once', async () => {
    const { dev, agents } = await twoAgents();
    const [survivor, victim] = agents as [ChildAgent, ChildAgent];
    const env = { TEST_AGENTS: `${survivor.url},${victim.url}`, TEST_AGENT_TOKEN: TOKEN };
    const evaluators = agentEvaluators(dev, { env, retries: 1, backoffMs: 50 });
    const out = tmp('lts-agent-kill-');
    const s = settings(dev);
    const logs: string[] = [];
    let killedAt: number | undefined;
    const onProgress = (p: SearchProgress): void => {
      if (killedAt === undefined && p.measured_now >= 1) {
        killedAt = p.measured_now;
        victim.proc.kill('SIGKILL');
      }
    };
    const res = await runSearch({
      outDir: out,
      device: dev,
      settings: s,
      evaluators,
      spaces: searchSpaces(['gpt2'], { min: s.param_min, max: s.param_max }, TINY_SPACE),
      onProgress,
      log: (l) => logs.push(l),
    });

    expect(killedAt).toBe(1);
    expect(res.stoppedBy).toBe('iterations');
    expect(logs.some((l) => l.includes(`agent ${victim.url} dropped`) && /unreachable after 2 attempts/.test(l))).toBe(true);
    const recs = readRecords(out);
    expect(recs.length).toBe(res.history.length);
    expect(recs.length).toBeGreaterThanOrEqual(5);
    expect(new Set(recs.map((r) => r.key)).size).toBe(recs.length);
    expect(recs.every((r) => r.measurement.ok)).toBe(true);
    // After the kill only the survivor measured; at most the one answer the victim sent before dying is its.
    expect(recs.filter((r) => r.evaluator === `agent ${victim.url}`).length).toBeLessThanOrEqual(1);
    expect(recs.filter((r) => r.evaluator === `agent ${survivor.url}`).length).toBeGreaterThanOrEqual(recs.length - 1);
    const pareto = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8'));
    expect(pareto.counts.evaluated).toBe(recs.length);
    expect(pareto.counts.stopped_by).toBe('iterations');
    await Promise.all(evaluators.map((e) => e.close?.()));
  });
});
