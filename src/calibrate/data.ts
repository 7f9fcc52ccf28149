// Reading tables of trained models (JSON lines or CSV): one architecture and its validation perplexity
// per row. Accepts the lts-tabular rows (reference-code `config`) and lts's own ArchConfig.
import { importConfig, type ImportedConfig } from '../config/import.js';
import { familyDefinition, isFamily } from '../families/index.js';
import { FAMILIES, type ArchConfig, type Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { readTextFile } from '../util/files.js';

export interface TrainedRow {
  /** Grouping key: `set`, else `<family>-<dataset>`, else 'all'. */
  group: string;
  set?: string;
  id?: string;
  family: Family;
  dataset?: string;
  config: ArchConfig;
  ppl: number;
  /** 1-based line (JSON lines) or record (CSV, header = 1) the row came from. */
  line: number;
}

export interface TrainedTable {
  source: string;
  rows: TrainedRow[];
  /** Rows without a perplexity (runs that never finished), left out. */
  skipped: number;
  skippedByGroup: Record<string, number>;
  /** Who the skipped rows were, so that filtered uses can count theirs. */
  skippedRows: { group: string; family: Family; set?: string; dataset?: string }[];
  /** Rows whose config was an archai or Hugging Face config, per dialect, with what was mapped. */
  imported: Pick<ImportedConfig, 'dialect' | 'mapped' | 'ignored'>[];
}

/** Fields of a row that are not its config (when a row is the config itself, as in CSV). */
const ROW_FIELDS = new Set(['set', 'id', 'kind', 'dataset', 'homogeneous', 'valid_ppl', 'test_ppl', 'ppl', 'reported_params', 'latency_ms', 'memory_mb', 'device']);

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function family(where: string, v: unknown): Family {
  if (isFamily(v)) return v;
  throw new LtsError(`${where}: family must be one of ${FAMILIES.join(', ')}, got ${JSON.stringify(v)}`);
}

/**
 * An ArchConfig from either shape, read by the family's own parser in its `table` mode (the reference
 * code's conventions: n_token, cutoffs up to the vocabulary, d_embed -1, CSV strings).
 */
export function toArchConfig(where: string, raw: Raw, fam: Family): ArchConfig {
  try {
    return familyDefinition(fam).parseConfig(raw, 'table');
  } catch (e) {
    if (e instanceof LtsError) throw new LtsError(`${where}: ${e.message}`);
    throw e;
  }
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

type Skipped = TrainedTable['skippedRows'][number];

/** One input record -> a row, or who it was when it has no perplexity. */
function toRow(where: string, line: number, rec: Raw, imports: Map<string, ImportedConfig>): TrainedRow | Skipped {
  const pplRaw = rec.valid_ppl !== undefined ? rec.valid_ppl : rec.ppl;
  if (pplRaw === undefined && !('valid_ppl' in rec) && !('ppl' in rec)) {
    throw new LtsError(`${where}: no perplexity field (valid_ppl or ppl)`);
  }
  let rawCfg: unknown = rec.config ?? rec;
  if (typeof rawCfg === 'string') {
    try {
      rawCfg = JSON.parse(rawCfg);
    } catch {
      throw new LtsError(`${where}: config is not valid JSON`);
    }
  }
  if (!isObject(rawCfg)) throw new LtsError(`${where}: config must be an object`);
  const cfgObj: Raw = rawCfg === rec ? Object.fromEntries(Object.entries(rec).filter(([k]) => !ROW_FIELDS.has(k))) : rawCfg;
  let imported: ImportedConfig;
  const rowFamily = cfgObj.family ?? rec.family;
  try {
    imported = importConfig(cfgObj, isFamily(rowFamily) ? { family: rowFamily } : {});
  } catch (e) {
    throw e instanceof LtsError ? new LtsError(`${where}: ${e.message}`) : e;
  }
  if (imported.dialect !== 'lts') {
    const seen = imports.get(imported.dialect);
    if (seen) { seen.mapped.push(...imported.mapped); seen.ignored.push(...imported.ignored); }
    else imports.set(imported.dialect, imported);
  }
  const cfgRaw = imported.raw;
  const fam = family(where, cfgRaw.family ?? rec.family);
  const set = str(rec.set);
  const dataset = str(rec.dataset);
  const group = set ?? (dataset ? `${fam}-${dataset}` : 'all');
  if (pplRaw === null || pplRaw === '' || pplRaw === undefined) return { group, family: fam, ...(set ? { set } : {}), ...(dataset ? { dataset } : {}) };
  const ppl = typeof pplRaw === 'string' && pplRaw.trim() !== '' ? Number(pplRaw) : pplRaw;
  if (typeof ppl !== 'number' || !Number.isFinite(ppl)) throw new LtsError(`${where}: perplexity must be a number, got ${JSON.stringify(pplRaw)}`);
  if (ppl <= 0) throw new LtsError(`${where}: perplexity must be > 0, got ${ppl}`);
  return {
    group,
    set,
    id: str(rec.id),
    family: fam,
    dataset,
    config: toArchConfig(where, cfgRaw, fam),
    ppl,
    line,
  };
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string, source = 'csv'): string[][] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++;
        if (i < text.length && !',\r\n'.includes(text[i]!)) throw new LtsError(`${source}:${line}: text after a closing quote`);
        continue;
      }
      if (c === '\n') line++;
      field += c; i++;
      continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { rec.push(field); field = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      rec.push(field); field = '';
      if (!(rec.length === 1 && rec[0] === '')) records.push(rec);
      rec = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    field += c; i++;
  }
  if (quoted) throw new LtsError(`${source}:${line}: unterminated quoted field`);
  if (field !== '' || rec.length > 0) { rec.push(field); records.push(rec); }
  return records;
}

/** Rows of trained models from JSON lines (or a JSON array) or CSV text. */
export function parseTrainedText(text: string, source: string): TrainedTable {
  const rows: TrainedRow[] = [];
  let skipped = 0;
  const skippedByGroup: Record<string, number> = {};
  const skippedRows: Skipped[] = [];
  const imports = new Map<string, ImportedConfig>();
  const add = (where: string, line: number, rec: unknown): void => {
    if (!isObject(rec)) throw new LtsError(`${where}: expected a JSON object per row`);
    const row = toRow(where, line, rec, imports);
    if ('config' in row) rows.push(row);
    else {
      skipped++;
      skippedRows.push(row);
      skippedByGroup[row.group] = (skippedByGroup[row.group] ?? 0) + 1;
    }
  };
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first === '[') {
    let arr: unknown;
    try {
      arr = JSON.parse(body);
    } catch (e) {
      throw new LtsError(`${source}: invalid JSON (${(e as Error).message})`);
    }
    (arr as unknown[]).forEach((rec, i) => add(`${source}[${i}]`, i + 1, rec));
  } else if (first === '{') {
    body.split('\n').forEach((l, i) => {
      if (l.trim() === '') return;
      let rec: unknown;
      try {
        rec = JSON.parse(l);
      } catch (e) {
        throw new LtsError(`${source}:${i + 1}: invalid JSON (${(e as Error).message})`);
      }
      add(`${source}:${i + 1}`, i + 1, rec);
    });
  } else {
    const records = parseCsv(body, source);
    if (records.length === 0) throw new LtsError(`${source}: empty file`);
    const header = records[0]!.map((h) => h.trim());
    records.slice(1).forEach((r, i) => {
      const where = `${source}:${i + 2}`;
      if (r.length !== header.length) throw new LtsError(`${where}: ${r.length} fields, header has ${header.length}`);
      add(where, i + 2, Object.fromEntries(header.map((h, j) => [h, r[j]!.trim()])));
    });
  }
  if (rows.length === 0) throw new LtsError(`${source}: no rows with a perplexity`);
  const imported = [...imports.values()].map((i) => ({ dialect: i.dialect, mapped: [...new Set(i.mapped)], ignored: [...new Set(i.ignored)] }));
  return { source, rows, skipped, skippedByGroup, skippedRows, imported };
}

export function readTrainedFile(path: string): TrainedTable {
  const text = readTextFile(path);
  return parseTrainedText(text, path);
}

/** Rows grouped by their group key, in first-seen order. */
export function groupRows(rows: readonly TrainedRow[]): Map<string, TrainedRow[]> {
  const groups = new Map<string, TrainedRow[]>();
  for (const r of rows) {
    const g = groups.get(r.group);
    if (g) g.push(r);
    else groups.set(r.group, [r]);
  }
  return groups;
}
