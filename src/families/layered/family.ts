// A per-layer family's FamilyDefinition from its LayeredSpec: the config, space and counting code the
// layered families share, parameterized by what the spec says (never by the family's name).
import { layeredCostFeatures } from './cost.js';
import type { FamilyDefinition, ParamBounds } from '../types.js';
import { canonicalLayered, summarizeLayered } from './canonical.js';
import type { LayeredConfig } from './config.js';
import { layeredSpaceOptions, type LayeredSpaceOptions } from './defaults.js';
import { readArchai } from './foreign.js';
import { layeredParamBreakdown } from './params.js';
import { fromPerLayerForm, isPerLayerForm, keyFields, ltsBlock } from './forms.js';
import { parseLayered, parseLayeredRow } from './parse.js';
import { makeLayeredSpace, type SwitchChoices } from './space.js';
import type { LayeredSpec } from './spec.js';
import { registerSwitches } from './switches.js';
import { layeredViolation } from './validate.js';

export function layeredFamily<C extends LayeredConfig & { family: string }, S extends string = never>(
  spec: LayeredSpec<C, S>,
): FamilyDefinition<C, LayeredSpaceOptions & SwitchChoices<S>> {
  type O = LayeredSpaceOptions & SwitchChoices<S>;
  const switches = spec.switches.map((s) => s.name);
  registerSwitches(spec.name, switches);
  const breakdown = (cfg: C) => layeredParamBreakdown(cfg, spec);
  const proxy = (cfg: C): number => breakdown(cfg).decoder;
  const violation = (cfg: C, bounds?: ParamBounds, space?: Partial<O>) =>
    layeredViolation(cfg, switches, () => proxy(cfg), bounds, space?.dInnerRatio);
  const defaults = (): O => {
    const o = layeredSpaceOptions(spec.vocabSize, spec.minParams) as O;
    for (const s of switches) (o as Record<S, boolean[]>)[s] = [false, true];
    return o;
  };
  return {
    name: spec.name,
    description: spec.description,
    hfModelTypes: spec.hfModelTypes,
    foreign: foreignConfigs(spec, switches),
    parseConfig(raw, mode) {
      if (mode === 'config') raw = plainFields(raw, spec);
      if (mode === 'table') return parseLayeredRow(raw, { family: spec.name, vocabSize: spec.vocabSize, divVal: spec.divVal.table, switches: spec.switches }) as C;
      return parseLayered(raw, { family: spec.name, vocabSize: spec.vocabSize, divVal: spec.divVal.config, switches }) as C;
    },
    canonical: (cfg) => canonicalLayered(cfg, switches),
    findViolation: violation,
    summary: summarizeLayered,
    defaultSpaceOptions: defaults,
    spaceOptionKinds: {
      n_layer: 'ints', d_model: 'ints', d_inner: 'ints', n_head: 'ints', div_val: 'ints',
      ...Object.fromEntries(switches.map((s) => [s, 'bools'] as const)),
      vocab_size: 'int', cutoffs: 'intlist', n_positions: 'int', d_embed: 'int', dInnerRatio: 'number',
    },
    ...(spec.spacePresets ? { spacePresets: spec.spacePresets } : {}),
    makeSpace(opts) {
      const o: O = { ...defaults(), ...stripUndefined(opts) };
      return makeLayeredSpace<C, S>(spec.name, o, switches, (cfg) => {
        const v = violation(cfg, o.bounds, o);
        return v ? `${v.rule}: ${v.field}: ${v.detail}` : null;
      });
    },
    paramBreakdown: breakdown,
    proxyParams: (cfg) => proxy(cfg),
    buildGraph: spec.buildGraph,
    trainingConfig: spec.trainingConfig,
    calibration: spec.calibration,
    costFeatures: (cfg, shapes, metric) => layeredCostFeatures(cfg, shapes, metric, typeof spec.cost === 'function' ? spec.cost(cfg) : spec.cost),
  };
}

/** What the spec reads of other tools' configs; archai's configs, every layered family reads. */
function foreignConfigs<C extends LayeredConfig & { family: string }, S extends string>(spec: LayeredSpec<C, S>, switches: readonly S[]): NonNullable<FamilyDefinition['foreign']> {
  const f = spec.foreign;
  return {
    ...(f?.hf ? { hf: f.hf } : {}),
    archai: { modelTypes: f?.archai?.modelTypes ?? [], read: (raw, log) => readArchai(spec.name, f?.archai?.rules ?? {}, raw, log) },
    ...(f?.basedOn ? { basedOn: { ...f.basedOn, marks: (raw: Record<string, unknown>) => switches.some((s) => raw[s] === true) } } : {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A config in any form the family writes (plain, per-layer, Hugging Face) as the plain fields. */
function plainFields<C extends LayeredConfig & { family: string }, S extends string>(raw: Record<string, unknown>, spec: LayeredSpec<C, S>): Record<string, unknown> {
  const hf = spec.foreign?.hf;
  // The reader of foreign HF configs, so lts's own files pass the same checks; its notes are not shown.
  if (typeof raw.model_type === 'string' && hf) return { family: spec.name, ...hf.read(raw, ltsBlock(raw), { mapped: [], ignored: [] }) };
  if (isPerLayerForm(raw)) {
    const out = fromPerLayerForm(raw, spec.switchesFromBlock as ((b: Record<string, unknown>) => Record<string, boolean | undefined>) | undefined);
    // Relative positions write no table size; the key the file carries has it.
    const n = keyFields(ltsBlock(raw)).n_positions;
    if (out.n_positions === undefined && n !== undefined) out.n_positions = n;
    return out;
  }
  return raw;
}
