// Per frontier point, a config a training pipeline can start from: a Hugging Face config.json where the
// architecture is one HF can build, else lts's per-layer description (schemas/training-config.schema.json).
// Each family writes its own (src/families/<name>); the `lts` block in every file says which it is.
import { definitionOf } from '../families/index.js';
import type { LtsBlock, TrainingConfig } from '../families/types.js';
import type { FrontierPoint, SearchSettings } from '../search/types.js';

export type { LtsBlock, TrainingConfig } from '../families/types.js';
/** `hf-<model_type>` (e.g. hf-gpt2, hf-transfo-xl) or `per-layer`. */
export type TrainingConfigKind = string;
export const TRAINING_CONFIG_SCHEMA = 'schemas/training-config.schema.json';

export function trainingConfig(p: FrontierPoint, settings: SearchSettings): TrainingConfig {
  const lts = (kind: string, extra: { reason?: string; note?: string } = {}): LtsBlock => ({
    kind,
    schema: TRAINING_CONFIG_SCHEMA,
    id: p.id,
    key: p.key,
    family: p.family,
    decoder_params: p.decoder_params,
    total_params: p.total_params,
    ...(p.predicted_ppl !== undefined ? { predicted_ppl: p.predicted_ppl } : {}),
    ...extra,
  });
  return definitionOf(p.config).trainingConfig(p.config, settings.shapes, lts);
}
