// `--resume` builds the search from pareto.json: a damaged one must be a one-line error, not a crash.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSearch } from '../../src/search/loop.js';
import { readResumable } from '../../src/search/results.js';
import { searchSpaces } from '../../src/search/spaces.js';
import { LtsError } from '../../src/util/errors.js';
import { device, FakeEvaluator, settings, tmp } from './helpers.js';

describe('readResumable', () => {
  it('accepts a run written by the search and refuses damaged settings or device with the field named', async () => {
    const s = settings({ iterations: 0, population: 3 });
    const dir = tmp();
    await runSearch({ outDir: dir, device, settings: s, evaluators: [new FakeEvaluator()], spaces: searchSpaces(s.families, { min: s.param_min, max: s.param_max }) });
    expect(readResumable(dir).settings).toEqual(s);

    // A temp file from a pareto.json write cut short by kill -9 is cleared when the run resumes.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, `.pareto.json.${dead}.1700000000000.tmp`), '{"schema_');
    await runSearch({ outDir: dir, device, settings: s, evaluators: [new FakeEvaluator()], spaces: searchSpaces(s.families, { min: s.param_min, max: s.param_max }), resume: true });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const good = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8'));

    const cases: [string, (p: any) => void, RegExp][] = [
      ['families missing', (p) => delete p.settings.families, /settings must have required property 'families'/],
      ['a metric unknown', (p) => (p.settings.metrics = ['speed']), /settings\/metrics\/0/],
      ['population not an integer', (p) => (p.settings.population = 'many'), /settings\/population/],
      ['device without runtime', (p) => delete p.device.runtime, /device: .*runtime/],
    ];
    for (const [what, damage, why] of cases) {
      const p = structuredClone(good);
      damage(p);
      writeFileSync(join(dir, 'pareto.json'), JSON.stringify(p));
      const err = (() => {
        try {
          readResumable(dir);
        } catch (e) {
          return e;
        }
      })();
      expect(err, what).toBeInstanceOf(LtsError);
      expect((err as Error).message, what).toMatch(why);
    }
  });

  it('a pareto.json that is not JSON is one line', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'pareto.json'), 'garbage\n');
    expect(() => readResumable(dir)).toThrow(LtsError);
    expect(() => readResumable(dir)).toThrow(/^[^\n]*pareto\.json: not valid JSON \([^\n]*\)$/);
  });
});
