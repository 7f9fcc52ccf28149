// What a per-layer family (a stack of n_layer attention + FFN layers) tells the shared layered code:
// its defaults, its extra switches and how its layers count. The family folder supplies one LayeredSpec;
// layeredFamily() turns it into the FamilyDefinition the registry lists.
import type { BuildExtras, ExportedModel, ExportOptions } from '../../export/types.js';
import type { ShapeSettings } from '../../space/types.js';
import type { ForeignConfigs, LtsBlockOf, SpacePresets, TrainingConfig } from '../types.js';
import type { ArchaiFieldRule } from './foreign.js';
import type { LayeredConfig } from './config.js';
import type { LayeredCostKind } from './cost.js';

/** A boolean gene of one family (e.g. a Primer modification), searched like the others. */
export interface SwitchSpec<S extends string> {
  name: S;
  /** What a trained-model table row without the field means. In a config file a missing switch is off. */
  tableDefault: boolean;
}

export interface LayeredSpec<C extends LayeredConfig & { family: string }, S extends string = never> {
  name: C['family'];
  description: string;
  hfModelTypes: readonly string[];
  /** The family's vocabulary (its tokenizer's), the default of vocab_size. */
  vocabSize: number;
  /** div_val when a config omits it: in a config file, and in a trained-model table row. */
  divVal: { config: number; table: number };
  /** Lower decoder-parameter bound of the reference search space. */
  minParams: number;
  switches: readonly SwitchSpec<S>[];
  /** Named settings of the switches for `lts search` (FamilyDefinition.spacePresets). */
  spacePresets?: SpacePresets;
  /** Parameters of one layer's attention: d_model d, attention width a = heads x head_dim. */
  attentionParams(cfg: C, d: number, a: number): number;
  /** A final LayerNorm after the last layer (pre-LN stacks). */
  finalNorm: boolean;
  /** A learned n_positions x d_model position table (absent with relative positions). */
  learnedPositions: boolean;
  buildGraph(cfg: C, opts: ExportOptions, extras?: BuildExtras): ExportedModel;
  /**
   * Other tools' configs the family reads. Every layered family reads archai's (readArchai), with
   * `archai.rules` for the fields whose meaning is the family's; `hf` also reads back the Hugging Face
   * config.json the family's trainingConfig writes. `basedOn`: other tools write this family as that
   * family's config with this family's switches on (the note says so).
   */
  foreign?: {
    hf?: ForeignConfigs['hf'];
    archai?: { modelTypes: readonly string[]; rules?: Readonly<Record<string, ArchaiFieldRule>> };
    basedOn?: { family: string; note: string };
  };
  /** The switches the per-layer form's `block` describes (the inverse of trainingConfig's block style). */
  switchesFromBlock?(block: Record<string, unknown>): Partial<Record<S, boolean>>;
  trainingConfig(cfg: C, shapes: ShapeSettings, lts: LtsBlockOf): TrainingConfig;
  calibration(dataset: string): { name: string; note?: string };
  /** What sets the family's layers apart for the cost model (src/families/layered/cost.ts). */
  cost: LayeredCostKind | ((cfg: C) => LayeredCostKind);
}
