import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportCommand } from '../../src/cli/export.js';

const cfg = { family: 'primer', n_layer: 2, d_model: 16, d_inner: [40, 32], n_head: [2, 4], vocab_size: 50, n_positions: 64, primer_square: true, primer_conv: true };

async function lts(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    await exportCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('lts export', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lts-export-'));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('--config writes a model onnxruntime loads, with the asked shapes and mode', async () => {
    writeFileSync(join(dir, 'c.json'), JSON.stringify(cfg));
    const out = join(dir, 'm.onnx');
    const summary = JSON.parse(await lts('--config', join(dir, 'c.json'), '-o', out, '--graph', 'standard', '--mode', 'decode', '--batch', '2', '--context', '9', '--json'));
    expect(summary.graph).toBe('standard');
    expect(summary.inputs).toContainEqual({ name: 'past_key_values.1.key', type: 'float32', dims: [2, 4, 9, 4] });
    expect(summary.outputs).toContainEqual({ name: 'present_conv.0.q', type: 'float32', dims: [2, 2, 16] });
    const s = await ort.InferenceSession.create(readFileSync(out));
    expect(s.inputNames).toContain('past_conv.1.v');
    await s.release();
  });

  it('--from rebuilds a frontier point with the run\'s settings; an unknown id lists valid ones', async () => {
    const pareto = {
      settings: { shapes: { batch: 1, seq: 12, mem_len: 0, context: 5 }, graph: 'ort', seed: 9 },
      frontier: [{ id: 'abc123', config: cfg }, { id: 'def456', config: { ...cfg, family: 'gpt2', primer_square: undefined, primer_conv: undefined } }],
    };
    writeFileSync(join(dir, 'pareto.json'), JSON.stringify(pareto));
    const out = join(dir, 'p.onnx');
    const summary = JSON.parse(await lts('--from', join(dir, 'pareto.json'), '--id', 'def456', '-o', out, '--json'));
    expect(summary).toMatchObject({ family: 'gpt2', graph: 'ort', seed: 9, mode: 'prefill' });
    expect(summary.inputs).toEqual([{ name: 'input_ids', type: 'int64', dims: [1, 12] }]);
    await expect(lts('--from', join(dir, 'pareto.json'), '--id', 'nope', '-o', out)).rejects.toThrow(/valid ids: abc123, def456/);
    // the run directory works as well
    expect(JSON.parse(await lts('--from', dir, '--id', 'abc123', '-o', out, '--json')).family).toBe('primer');
  });

  it('asks for a source', async () => {
    await expect(lts('-o', join(dir, 'x.onnx'))).rejects.toThrow(/--config/);
    await expect(lts('--from', join(dir, 'missing.json'), '-o', join(dir, 'x.onnx'))).rejects.toThrow(/--id/);
  });
});
