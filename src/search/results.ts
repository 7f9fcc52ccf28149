// Run-directory files: candidates.jsonl (append-only) and pareto.json (atomic), and reading them back.
import { existsSync } from 'node:fs';
import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { join } from 'node:path';
import type { Fingerprint, Measurement } from '../profile/types.js';
import { parseDevice } from '../profile/device.js';
import { readJsonFile } from '../util/files.js';
import { packageRoot } from '../util/package.js';
import { parseSpaceOverrides } from '../space/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { LtsError } from '../util/errors.js';
import { readJsonl } from '../util/jsonl.js';
import type { CandidateRecord, FrontierPoint, ParetoFile, ScreenedRecord } from './types.js';

export const CANDIDATES_FILE = 'candidates.jsonl';
export const PARETO_FILE = 'pareto.json';

export function frontierPoint(r: CandidateRecord): FrontierPoint {
  const m: Measurement = r.measurement;
  const p: FrontierPoint = {
    id: r.id,
    key: r.key,
    family: r.family,
    config: r.config,
    iteration: r.iteration,
    decoder_params: r.decoder_params,
    total_params: r.total_params,
    ...(r.param_counts ? { param_counts: r.param_counts } : {}),
    timing: m.timing,
  };
  if (m.latency) p.latency = m.latency;
  if (m.decode) p.decode = m.decode;
  if (m.memory) p.memory = m.memory;
  if (m.provider) p.provider = m.provider;
  return p;
}

/**
 * The fingerprint names the provider the profile asked for; what actually ran each measured graph (read
 * from onnxruntime's node placements) is added, so a partial fallback shows at the top of the file too.
 */
export function withProvidersRan(fp: Fingerprint, records: readonly CandidateRecord[]): Fingerprint {
  const ran = [...new Set(records.filter((r) => r.measurement.ok && r.measurement.provider).map((r) => r.measurement.provider!))].sort();
  return ran.length > 0 ? { ...fp, providers_ran: ran } : fp;
}

export function writePareto(dir: string, file: ParetoFile): void {
  writeFileAtomic(join(dir, PARETO_FILE), JSON.stringify(file, null, 2) + '\n');
}

export function readPareto(dir: string): ParetoFile {
  const p = join(dir, PARETO_FILE);
  if (!existsSync(p)) throw new LtsError(`${dir} is not a search run directory: no ${PARETO_FILE}`);
  const f = readJsonFile(p) as Partial<ParetoFile>;
  if (!(f.schema_version === 1 || f.schema_version === 2) || !f.settings || !f.device) {
    throw new LtsError(`${p}: not an lts pareto.json (schema_version 1 or 2 with settings and device expected)`);
  }
  return f as ParetoFile;
}

// ajv is CommonJS: under NodeNext its default export arrives as the module object.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
let settingsValidator: ValidateFunction | undefined;

/**
 * A run's pareto.json checked for what `--resume` builds the search from (device profile and settings),
 * so a hand-edited or foreign file gets one line naming the bad field instead of a crash mid-setup.
 */
export function readResumable(dir: string): ParetoFile {
  const f = readPareto(dir);
  const where = join(dir, PARETO_FILE);
  parseDevice(f.device, `${where}: device`);
  if (!settingsValidator) {
    const schema = readJsonFile(join(packageRoot(), 'schemas', 'pareto.schema.json')) as {
      properties: { settings: object };
      definitions: object;
    };
    settingsValidator = new Ajv({ allErrors: false, strict: false }).compile({ ...schema.properties.settings, definitions: schema.definitions });
  }
  if (!settingsValidator(f.settings)) {
    const e = settingsValidator.errors![0]!;
    throw new LtsError(`${where}: settings${e.instancePath} ${e.message ?? 'is invalid'}; cannot resume from it`);
  }
  if (f.settings.space !== undefined) parseSpaceOverrides(f.settings.space, `${where}: settings/space`);
  return f;
}

/**
 * Every complete record of a run, measured ones and screened ones apart; a truncated line left by a
 * crash is skipped.
 */
export function readCandidates(dir: string): { records: CandidateRecord[]; screened: ScreenedRecord[]; skippedLines: number[] } {
  const { records, skipped } = readJsonl<CandidateRecord | ScreenedRecord>(join(dir, CANDIDATES_FILE));
  const identified = records.filter((r) => r && typeof r === 'object' && typeof r.key === 'string');
  const good = identified.filter((r): r is CandidateRecord => 'measurement' in r && !!r.measurement && typeof r.measurement.ok === 'boolean');
  const screened = identified.filter((r): r is ScreenedRecord => 'status' in r && r.status === 'screened' && typeof r.screened_by === 'string');
  return { records: good, screened, skippedLines: skipped };
}

/** The commonest failure reasons among records, most frequent first: "16x out of memory (limit 10 MB); 2x timeout after 1 s". */
export function failureReasons(records: readonly CandidateRecord[], top = 3): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.measurement.ok) continue;
    const why = r.measurement.error ?? 'no reason given';
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, top).map(([why, n]) => `${n}x ${why}`);
  if (sorted.length > top) shown.push(`${sorted.length - top} other reason(s)`);
  return shown.join('; ');
}
