// What a model family is: the one interface every folder under src/families/ implements. The pipeline
// stages (space -> proxy -> export -> report) call a family only through this interface, looked up in
// the registry (src/families/index.ts) by the config's `family` field; none of them names a family.
//
// A family owns its config type C: a member of the ArchConfig union (discriminated on `family`), so
// the registry's mapped type makes a family without an entry, or an entry of the wrong config type, a
// compile error. C need not be per-layer lists: only `family`, `d_model` and `vocab_size` are common.
import type { ExportedModel, ExportOptions, BuildExtras, GraphForm } from '../export/types.js';
import type { Metric } from '../profile/types.js';
import type { ShapeSettings } from '../space/types.js';
import type { Rng } from '../util/rng.js';

/** What every family's config has; everything else is the family's own. */
export interface BaseConfig {
  /** The discriminant: the family's registry name. Part of the candidate id (`<family>-<hash>`). */
  family: string;
  /** Width of the residual stream. */
  d_model: number;
  vocab_size: number;
}

// ---- config --------------------------------------------------------------------------------------

/**
 * Where a config comes from, which decides its defaults and how strictly it is checked:
 * - `config`: a user's `--config` file, a pareto.json point or a `configs/<id>.json` the report wrote
 *   (lts's own form, or the Hugging Face form the family writes). Missing fields take the family's
 *   documented defaults; every broken structural rule is an error.
 * - `table`: a row of trained models for `lts calibrate` (the reference code's tables). Defaults follow
 *   those tables; only what the parameter count needs is checked (trained models may lie outside the
 *   search's rules, e.g. d_inner <= 1.7 x d_model). Values may be strings (CSV); the family coerces them.
 */
export type ParseMode = 'config' | 'table';

/** One broken rule. `rule` names it (`heads-divide-d_model`), `field` is the config path (`n_head[2]`). */
export interface Violation {
  rule: string;
  field: string;
  /** What is wrong, without the field name: `3 does not divide d_model 256`. */
  detail: string;
}

/** Inclusive bounds on the search proxy (FamilyDefinition.proxyParams). */
export interface ParamBounds {
  min: number;
  max: number;
}

// ---- search space --------------------------------------------------------------------------------

/**
 * How `lts search --space` checks one override key: a list of choices (never empty), or a fixed
 * setting ('intlist': a fixed list of integers that may be empty, such as adaptive-softmax cutoffs).
 */
export type OptionKind = 'ints' | 'bools' | 'strings' | 'int' | 'number' | 'intlist';

/** The gene choices and fixed settings of a family's space; `bounds` is set by the search. */
export interface BaseSpaceOptions {
  bounds: ParamBounds;
}

/**
 * A family's search space (archai style), built by FamilyDefinition.makeSpace from its options.
 * Deterministic in the Rng: the same seed gives the same candidates.
 */
export interface FamilySpace<C extends BaseConfig = BaseConfig, O extends BaseSpaceOptions = BaseSpaceOptions> {
  readonly family: C['family'];
  readonly options: Readonly<O>;
  /** A valid candidate inside the bounds; LtsError when the bounds admit none after many draws. */
  sample(rng: Rng): C;
  /** A child of one parent: genes redrawn at random, then repaired (so it is structurally valid). */
  mutate(cfg: C, rng: Rng): C;
  /** A child of two parents of this family: genes taken from either, then repaired. */
  crossover(a: C, b: C, rng: Rng): C;
  /** Redraws whatever the other genes made invalid (e.g. a head count that no longer divides d_model). */
  repair(cfg: C, rng: Rng): C;
  /** null when valid and inside the bounds, else `<rule>: <field>: <what is wrong>`. */
  validate(cfg: C): string | null;
}

/**
 * Named settings of a family's own genes, offered by `lts search` as one flag (`--primer ez`). The
 * chosen preset's overrides go into the family's section of the search-space overrides.
 */
export interface SpacePresets {
  /** The flag's name without dashes, one lowercase word: `primer`. */
  flag: string;
  /** The flag's help text. */
  description: string;
  /** Preset name -> the overrides it sets (keys of the family's spaceOptionKinds). */
  presets: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

// ---- parameters ----------------------------------------------------------------------------------

/**
 * Exact parameter counts, to the parameter. The five parts add up: decoder = attention + ffn +
 * layernorm (+ any decoder part of `extra` the family documents), total = every distinct parameter.
 */
export interface ParamBreakdown {
  /** Attention projections and their biases, plus the family's attention extras (relative-position nets, convs). */
  attention: number;
  /** Feed-forward weights and biases (all experts of a mixture-of-experts layer). */
  ffn: number;
  /** Every LayerNorm of the decoder, a final one included. */
  layernorm: number;
  /** Token embedding and learned positions. */
  embedding: number;
  /** Output-layer parameters not tied to the embedding. */
  output: number;
  /** Non-embedding parameters. */
  decoder: number;
  /** Every distinct parameter of the model. */
  total: number;
  /**
   * Further named counts the family reports (printed by `lts params` after the fixed rows), e.g. a
   * mixture-of-experts family's `activated` (parameters one token uses) and `dense_equivalent`.
   */
  extra?: Record<string, number>;
}

/**
 * A family whose proxy is one of several counts lets the user choose it per search (a mixture-of-experts
 * family's total / activated / dense-equivalent count). The CLI offers `--<setting in kebab case>`, the
 * search records the choice and its source in its settings, and passes it to proxyParams through the
 * space option `spaceKey`.
 */
export interface ProxyChoice {
  /** The settings field in pareto.json (`moe_proxy`); `<setting>_source` holds the chosen count's source. */
  setting: 'moe_proxy';
  choices: readonly string[];
  default: string;
  /** What each choice counts and where it comes from. */
  source: Readonly<Record<string, string>>;
  /** One line for `--help`. */
  help: string;
  /** The space option proxyParams reads the choice from. */
  spaceKey: string;
}

// ---- report --------------------------------------------------------------------------------------

/** The `lts` block of every `configs/<id>.json`: which form the file is, and the candidate it describes. */
export interface LtsBlock {
  /** `hf-<model_type>` for a Hugging Face config.json, `per-layer` for lts's own description. */
  kind: string;
  schema: string;
  id: string;
  key: string;
  family: string;
  decoder_params: number;
  total_params: number;
  predicted_ppl?: number;
  /** Why this is not a Hugging Face config (per-layer only). */
  reason?: string;
  note?: string;
}

export type TrainingConfig = Record<string, unknown> & { lts: LtsBlock };

/** Fills a file's `lts` block: the writer gives the kind (and a reason or note), the report the rest. */
export type LtsBlockOf = (kind: string, extra?: { reason?: string; note?: string }) => LtsBlock;

/** A config in a few plain fields, for tables (frontier.csv, the report) and one-line descriptions. */
export interface ConfigSummary {
  /** Decoder layers (for a family of blocks: every sub-layer). */
  n_layer: number;
  d_model: number;
  /** Head counts of the layers with attention, FFN widths of the layers with a feed-forward, in order. */
  n_head: number[];
  d_inner: number[];
  /** Adaptive-embedding divisor (0: plain tied embedding). */
  div_val: number;
  d_embed: number;
  vocab_size: number;
  /** One line for people: `6 layers, d_model 192, div_val 0`. */
  text: string;
}

// ---- configs other tools write ---------------------------------------------------------------------

/** What a foreign config's reader did, for the importer's one-line note. */
export interface ImportLog {
  /** What was renamed or converted, e.g. `n_token -> vocab_size`. */
  mapped: string[];
  /** Settings of training or of the measurement, not of the architecture. */
  ignored: string[];
}

/**
 * The configs of other tools a family reads (src/config/import.ts finds the family by these and lets it
 * read). Each reader returns lts's raw fields (without `family`) for parseConfig, and throws one LtsError
 * `config.<field>: ...` for a field that would change the architecture in a way lts does not model.
 */
export interface ForeignConfigs {
  /** Hugging Face config.json: `model_type` one of hfModelTypes (the dialect is `hf-<first of them>`). */
  hf?: {
    /** A config whose `architectures` entry starts with this is the family's. */
    architecturePrefix: string;
    /** A field only this family's HF config has: with it and no d_model, the config is the family's. */
    marker?: string;
    /** Also reads the HF files lts wrote itself; `lts` is the file's lts block, when it has one. */
    read(raw: Record<string, unknown>, lts: { key?: string } | undefined, log: ImportLog): Record<string, unknown>;
  };
  /** archai's / the LTS reference code's configs (n_token, d_head, cutoffs ending with the vocabulary). */
  archai?: {
    /** archai `model_type`s that are this family. */
    modelTypes: readonly string[];
    read(raw: Record<string, unknown>, log: ImportLog): Record<string, unknown>;
  };
  /** Other tools write this family as `family`'s config with this family's switches on (`marks`). */
  basedOn?: { family: string; marks(raw: Record<string, unknown>): boolean; note: string };
}

// ---- the family ----------------------------------------------------------------------------------

export interface FamilyDefinition<C extends BaseConfig = BaseConfig, O extends BaseSpaceOptions = BaseSpaceOptions> {
  readonly name: C['family'];
  /** One line for `--help` and the README's family table. */
  readonly description: string;
  /** Hugging Face `model_type`s whose config.json this family reads back (parseConfig, mode `config`). */
  readonly hfModelTypes: readonly string[];
  /** Configs of other tools (archai, Hugging Face) the family reads, if any. */
  readonly foreign?: ForeignConfigs;

  // config: parse, identity, validity
  /**
   * A config from its JSON fields (family already chosen; a wrapping `config` already unwrapped). Fills
   * the family's defaults; one LtsError `config.<field>: ...` for bad input, listing every missing
   * required field at once. Accepts every form the family's trainingConfig writes.
   */
  parseConfig(raw: Record<string, unknown>, mode: ParseMode): C;
  /**
   * The config as it is identified: inactive genes dropped, unused settings normalized, fields in a fixed
   * order. candidateKey = JSON.stringify(canonical(cfg)); the id hashes the key. Never change what an
   * existing family's canonical returns: run directories are keyed by it.
   */
  canonical(cfg: C): C;
  /**
   * First broken structural rule, or null; with bounds also the proxy's bounds (checked last). `space`:
   * the space's settings a rule depends on (e.g. a minimum FFN ratio), defaults when absent.
   */
  findViolation(cfg: C, bounds?: ParamBounds, space?: Partial<O>): Violation | null;
  summary(cfg: C): ConfigSummary;

  // space
  defaultSpaceOptions(): O;
  /** Override keys `lts search --space` accepts for this family, and what each holds. */
  readonly spaceOptionKinds: Readonly<Record<string, OptionKind>>;
  /** A flag of named space settings `lts search` offers for this family, if the family has one. */
  readonly spacePresets?: SpacePresets;
  /** The space over the defaults with `opts` applied; LtsError when the choices leave no candidate. */
  makeSpace(opts: Partial<O>): FamilySpace<C, O>;

  // proxy
  paramBreakdown(cfg: C): ParamBreakdown;
  /**
   * The search's accuracy proxy (recorded as `decoder_params` in candidates.jsonl and pareto.json, and
   * what the bounds limit). The decoder count for dense families; a sparse family says which count, and
   * may let its space options choose (`space`: the search's options for this family; absent elsewhere,
   * e.g. `lts params`, where the family's default applies).
   */
  proxyParams(cfg: C, space?: Partial<O>): number;
  /** A per-search choice of which of the family's counts is the proxy (absent: the one count there is). */
  readonly proxyChoice?: ProxyChoice;

  // export
  /** The candidate's ONNX graph in memory: prefill or decode, `ort` or `standard` form (opts). */
  buildGraph(cfg: C, opts: ExportOptions, extras?: BuildExtras): ExportedModel;
  /**
   * One piece of the family's model alone, as a graph from x [batch, seq, d_model] to y of the same
   * shape, for benchmarks that weigh pieces against each other (Brainformer: one sub-layer, an MoE
   * against a dense FFN). `part` is the family's own description of the piece. Absent: no such pieces.
   */
  buildPart?(part: unknown, d_model: number, opts: ExportOptions, extras?: BuildExtras): ExportedModel;

  // report and calibration
  /** `configs/<id>.json`: a Hugging Face config where HF can build the model, else lts's own form. */
  trainingConfig(cfg: C, shapes: ShapeSettings, lts: LtsBlockOf): TrainingConfig;
  /** The built-in calibration (a name under calibrations/) for a dataset, and a note when it is borrowed. */
  calibration(dataset: string): { name: string; note?: string };

  // cost model (search strategy `screened`)
  /**
   * Physical cost features for one metric, in src/cost's FEATURE_NAMES[metric] order (FLOPs, bytes,
   * layer counts: work whose cost is >= 0), for the graph form that is measured (a fused op and the
   * subgraph it replaces can run different work). Absent: the cost model has nothing to go on, and the
   * search measures every child of this family.
   */
  costFeatures?(cfg: C, shapes: ShapeSettings, metric: Metric, form: GraphForm): number[];
}
