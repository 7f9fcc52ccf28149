// Run-directory files: candidates.jsonl (append-only) and pareto.json (atomic), and reading them back.
import { existsSync, readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fingerprint, Measurement } from '../profile/types.js';
import { parseDevice } from '../profile/device.js';
import { packageRoot } from '../profile/paths.js';
import { parseSpaceOverrides } from '../space/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { LtsError } from '../util/errors.js';
import { readJsonl } from '../util/jsonl.js';
import type { CandidateRecord, FrontierPoint, ParetoFile, ScreenedRecord } from './types.js';

export const CANDIDATES_FILE = 'candidates.jsonl';
export const PARETO_FILE = 'pareto.json';

let cachedVersion: string | undefined;

/** The tool's version from its package.json (found by walking up from this module, src/ or dist/src/). */
export function toolVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lts' && pkg.version) return (cachedVersion = pkg.version);
    }
    dir = dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}

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

/** An error message on one line: V8's JSON errors quote the input, newlines included. */
export function oneLineMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
}

export function readPareto(dir: string): ParetoFile {
  const p = join(dir, PARETO_FILE);
  if (!existsSync(p)) throw new LtsError(`${dir} is not a search run directory: no ${PARETO_FILE}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new LtsError(`${p}: not valid JSON (${oneLineMessage(err)})`);
  }
  const f = parsed as Partial<ParetoFile>;
  if (f.schema_version !== 1 || !f.settings || !f.device) {
    throw new LtsError(`${p}: not an lts pareto.json (schema_version 1 with settings and device expected)`);
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
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'pareto.schema.json'), 'utf8')) as {
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
