// One entry point for every family: the search, the profiler and the CLI call exportModel only.
import type { ArchConfig } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { buildGpt2 } from './gpt2.js';
import { buildTransfoXl } from './transfo-xl.js';
import type { BuildExtras, ExportedModel, ExportOptions } from './types.js';

export type { BuildExtras } from './types.js';

/** Builds the candidate's ONNX graph in memory (form and mode from opts; weights from opts.seed). */
export function exportModel(cfg: ArchConfig, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  switch (cfg.family) {
    case 'gpt2':
    case 'primer':
      return buildGpt2(cfg, opts, extras);
    case 'transfo-xl':
      return buildTransfoXl(cfg, opts, extras);
    default:
      throw new LtsError(`export: family ${cfg.family} is not supported yet`);
  }
}
