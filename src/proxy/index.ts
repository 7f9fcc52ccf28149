// Exact parameter counts (reference §2), each family's own (src/families): the decoder count, the
// search's accuracy proxy, and the total in the Hugging Face module layout the exporter builds, so
// `lts params` matches a real model.
import { definitionOf } from '../families/index.js';
import type { ParamBreakdown } from '../families/types.js';
import type { ArchConfig } from '../space/types.js';

export type { ParamBreakdown } from '../families/types.js';
export { clusterWidth } from '../families/layered/params.js';

export function paramBreakdown(cfg: ArchConfig): ParamBreakdown {
  return definitionOf(cfg).paramBreakdown(cfg);
}

/** Non-embedding parameters: every attention and FFN weight and bias and every LayerNorm. */
export function decoderParams(cfg: ArchConfig): number {
  return paramBreakdown(cfg).decoder;
}

/** The count the search ranks and bounds by (recorded as `decoder_params`): the family decides which. */
export function proxyParams(cfg: ArchConfig): number {
  return definitionOf(cfg).proxyParams(cfg);
}

export function totalParams(cfg: ArchConfig): number {
  return paramBreakdown(cfg).total;
}
