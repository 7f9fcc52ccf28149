// Configs as other tools write them -> lts's raw config, before lts's own parser (src/space/parse.ts)
// sees them: archai / LTS reference configs (n_token, cutoffs ending with the vocabulary, d_embed -1,
// d_head -1, per-layer lists) and Hugging Face config.json. This module only finds the dialect and the
// family; the family reads the config (FamilyDefinition.foreign, in its folder). Training-only settings
// are dropped and listed; a field that would change the architecture in a way lts does not model, or
// that no known tool writes, is an error naming it.
import { FAMILIES, familyDefinition, isFamily, type Family } from '../families/index.js';
import type { ImportLog } from '../families/types.js';
import { fail, isObject, j, type Raw } from './foreign.js';

/** `hf-<model_type>` for a Hugging Face config.json. */
export type ConfigDialect = 'lts' | 'archai' | `hf-${string}`;

export interface ImportedConfig extends ImportLog {
  /** lts raw config (ArchConfig fields), for parseConfig. */
  raw: Record<string, unknown>;
  dialect: ConfigDialect;
}

/** Fields only other tools write: their presence marks an archai / reference-code config. */
const ARCHAI_MARKERS = ['n_token', 'd_head', 'tgt_len', 'mem_len', 'ext_len', 'tie_weight', 'tie_projs', 'adaptive', 'pre_lnorm', 'attn_type', 'same_length', 'clamp_len', 'model_type'];

/** The family whose Hugging Face config this is, if it is one. */
function hfFamily(raw: Raw): Family | undefined {
  const arch = Array.isArray(raw.architectures) ? raw.architectures.map(String) : [];
  return FAMILIES.find((f) => {
    const def = familyDefinition(f);
    const hf = def.foreign?.hf;
    if (!hf) return false;
    return def.hfModelTypes.includes(String(raw.model_type)) || arch.some((a) => a.startsWith(hf.architecturePrefix)) || (hf.marker !== undefined && hf.marker in raw && !('d_model' in raw));
  });
}

const archaiModelTypes = (f: Family): readonly string[] => familyDefinition(f).foreign?.archai?.modelTypes ?? [];

function fromArchai(raw: Raw, family: Family | undefined, log: ImportLog): Raw {
  let fam: string | undefined = family ?? (typeof raw.family === 'string' ? raw.family : undefined);
  if (fam === undefined && typeof raw.model_type === 'string') {
    const mt = raw.model_type;
    fam = FAMILIES.find((f) => archaiModelTypes(f).includes(mt));
    if (!fam) fail('model_type', `${j(mt)} is not an archai model type lts knows (${FAMILIES.flatMap(archaiModelTypes).join(', ')})`);
    log.mapped.push(`model_type ${mt} -> family ${fam}`);
  }
  if (fam === undefined) {
    const types = FAMILIES.flatMap((f) => archaiModelTypes(f).slice(0, 1));
    fail('family', `missing: this archai config does not say its family (the families' configs share their fields); add "family": ${FAMILIES.map(j).join(' | ')}, or archai's "model_type": ${types.map(j).join(' | ')}`);
  }
  if (!isFamily(fam)) return fail('family', `${j(fam)} is not one of ${FAMILIES.join(', ')}`);
  // A family other tools write as this one's config with its switches on (Primer as a GPT-2).
  const promoted = FAMILIES.find((f) => {
    const b = familyDefinition(f).foreign?.basedOn;
    return b?.family === fam && b.marks(raw);
  });
  const reader = familyDefinition(promoted ?? fam).foreign?.archai;
  if (!reader) return fail('family', `lts reads no archai config of family ${promoted ?? fam}`);
  const out = reader.read(raw, log);
  if (promoted) log.mapped.push(familyDefinition(promoted).foreign!.basedOn!.note);
  out.family = promoted ?? fam;
  return out;
}

/**
 * A parsed JSON config in any of the dialects -> lts's raw config. `family` (e.g. from a table row)
 * names the family where an archai config does not. lts configs pass through unchanged. A record that
 * holds the config under `config` (a pareto.json point, a table row) is unwrapped.
 */
export function importConfig(json: unknown, opts: { family?: Family } = {}): ImportedConfig {
  if (!isObject(json)) return { raw: json as Raw, dialect: 'lts', mapped: [], ignored: [] };
  let raw = json;
  if (!('n_layer' in raw) && isObject(raw.config)) raw = raw.config;
  const log: ImportLog = { mapped: [], ignored: [] };
  // A configs/<id>.json that lts wrote (it carries its `lts` block): the family reads its own forms back.
  if (isObject(raw.lts) && typeof raw.lts.kind === 'string') return { raw, dialect: 'lts', ...log };
  let dialect: ConfigDialect;
  let out: Raw;
  const hf = hfFamily(raw);
  if (hf !== undefined) {
    const def = familyDefinition(hf);
    dialect = `hf-${def.hfModelTypes[0]}`;
    out = { family: hf, ...def.foreign!.hf!.read(raw, undefined, log) };
  } else if (ARCHAI_MARKERS.some((k) => k in raw)) {
    dialect = 'archai';
    out = fromArchai(raw, opts.family, log);
  } else return { raw, dialect: 'lts', ...log };
  if (opts.family && out.family !== opts.family && familyDefinition(opts.family).foreign?.basedOn?.family !== out.family) {
    fail('family', `the config is a ${String(out.family)} config (${dialect}) but its row says ${opts.family}`);
  }
  return { raw: out, dialect, ...log };
}

/** The one-line note printed when a foreign config was converted, or null for an lts config. */
export function importNote(imp: Pick<ImportedConfig, 'dialect' | 'mapped' | 'ignored'>, where: string): string | null {
  if (imp.dialect === 'lts') return null;
  const ignored = [...new Set(imp.ignored)];
  const shown = ignored.length > 8 ? [...ignored.slice(0, 8), `and ${ignored.length - 8} more`] : ignored;
  const mem = ignored.includes('mem_len') ? ' (mem_len is a measurement shape here: --mem-len)' : '';
  const ign = ignored.length ? `; ignored as training/measurement settings: ${shown.join(', ')}${mem}` : '';
  return `${where}: read as ${imp.dialect} config: ${[...new Set(imp.mapped)].join('; ')}${ign}`;
}
