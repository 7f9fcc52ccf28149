// A real, tiny Brainformer search: real space, export and measurement in child processes on the cpu
// profile, then the report. pareto.json must validate, name the proxy, and every frontier point must get
// its per-layer training config.
import AjvModule from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOE_PROXY_SOURCE } from '../../../src/families/brainformer/proxy.js';
import { writeReport } from '../../../src/report/index.js';
import type { ParetoFile, SearchSettings } from '../../../src/search/types.js';
import { paretoValidator, quickRealSearch, runRealSearch } from '../../search/helpers.js';

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const trainingSchema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'training-config.schema.json'), 'utf8'));

describe('a Brainformer search end to end (real measurements)', () => {
  it('measures tiny MoE candidates, writes a valid pareto.json naming the proxy, and a training config per point', async () => {
    const quick = quickRealSearch(['brainformer'], 4, [10_000, 3_000_000]);
    const device = quick.device;
    const settings: SearchSettings = {
      ...quick.settings,
      space: { brainformer: { d_model: [64], d_inner: [128, 192, 256], experts: [4, 8], stack: [1, 2], block_len: [3, 4], vocab_size: 500, n_positions: 64 } },
      moe_proxy: 'activated',
      moe_proxy_source: MOE_PROXY_SOURCE.activated,
    };
    const { outDir, out } = await runRealSearch(device, settings);
    expect(out.history.length).toBeGreaterThanOrEqual(3);
    for (const r of out.history) {
      expect(r.measurement.error).toBeUndefined();
      expect(r.family).toBe('brainformer');
      expect(r.decoder_params).toBe(r.param_counts!.activated);
      expect(r.param_counts!.decoder).toBeGreaterThanOrEqual(r.param_counts!.activated!);
    }
    const p = JSON.parse(readFileSync(join(outDir, 'pareto.json'), 'utf8')) as ParetoFile;
    expect(paretoValidator()(p)).toBeNull();
    expect(p.schema_version).toBe(2);
    expect(p.settings.moe_proxy).toBe('activated');
    expect(p.calibration?.name).toBe('gpt2-wt103');
    expect(p.calibration?.note ?? '').toMatch(/GPT-2's calibration/);

    await writeReport(outDir);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(trainingSchema);
    for (const f of p.frontier) {
      const file = join(outDir, 'configs', `${f.id}.json`);
      expect(existsSync(file)).toBe(true);
      const tc = JSON.parse(readFileSync(file, 'utf8'));
      expect(validate(tc), JSON.stringify(validate.errors)).toBe(true);
      expect(tc.lts.kind).toBe('per-layer');
    }
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toMatch(/brainformer/);
    expect(html).toMatch(/their decoder params are the <b>activated<\/b> count/);
  });
});
