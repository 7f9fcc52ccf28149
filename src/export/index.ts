// One entry point for every family: the search, the profiler and the CLI call exportModel only; the
// family's graph builder (src/families/<name>) writes the graph from the shared blocks.
import { definitionOf, familyDefinition } from '../families/index.js';
import type { ArchConfig, Family } from '../space/types.js';
import type { BuildExtras, ExportedModel, ExportOptions } from './types.js';

export type { BuildExtras } from './types.js';

/** Builds the candidate's ONNX graph in memory (form and mode from opts; weights from opts.seed). */
export function exportModel(cfg: ArchConfig, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  return definitionOf(cfg).buildGraph(cfg, opts, extras);
}

/** One piece of a family's model alone (FamilyDefinition.buildPart), e.g. a Brainformer sub-layer. */
export function exportPart(family: Family, part: unknown, d_model: number, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  const def = familyDefinition(family);
  if (!def.buildPart) throw new Error(`family ${family} has no parts to build alone`);
  return def.buildPart(part, d_model, opts, extras);
}
