// `lts export`: one architecture (a config file, or a frontier point of a finished search) to ONNX.
import { Command, Option } from 'commander';
import { statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { exportModel } from '../export/index.js';
import type { GraphForm, GraphMode } from '../export/types.js';
import type { ParetoFile } from '../search/types.js';
import { candidateId, loadConfigFile, parseConfig } from '../space/index.js';
import type { ArchConfig, ShapeSettings } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { readJsonFile } from '../util/files.js';
import { applyShapes, graphOption, int, shapeOptions, type ShapeOverrides } from './options.js';

/** The LTS measurement setting: batch 1, 192 tokens (and 192 of cache or memory). */
const DEFAULT_SHAPES: ShapeSettings = { batch: 1, seq: 192, mem_len: 192, context: 192 };

interface ExportCliOptions extends ShapeOverrides {
  config?: string;
  from?: string;
  id?: string;
  output: string;
  graph?: GraphForm;
  mode: GraphMode;
  seed?: number;
  json?: boolean;
}

interface Source {
  cfg: ArchConfig;
  shapes: ShapeSettings;
  graph: GraphForm;
  seed: number;
}

/** A frontier point of `<run>/pareto.json`, with the run's shapes, graph form and seed as defaults. */
export function frontierSource(fileOrRun: string, id: string): Source {
  // A run directory stands for its pareto.json.
  const file = statSync(fileOrRun, { throwIfNoEntry: false })?.isDirectory() ? join(fileOrRun, 'pareto.json') : fileOrRun;
  const pareto = readJsonFile(file) as ParetoFile;
  if (!pareto || !Array.isArray(pareto.frontier)) throw new LtsError(`${file} is not a pareto.json (no frontier list)`);
  const point = pareto.frontier.find((p) => p.id === id);
  if (!point) {
    const ids = pareto.frontier.map((p) => p.id);
    const shown = ids.slice(0, 8).join(', ') + (ids.length > 8 ? `, ... (${ids.length} in all)` : '');
    throw new LtsError(`no frontier point with id ${id} in ${file}; valid ids: ${shown || '(frontier is empty)'}`);
  }
  return {
    cfg: parseConfig(point.config),
    shapes: { ...DEFAULT_SHAPES, ...(pareto.settings?.shapes ?? pareto.device?.shapes ?? {}) },
    graph: pareto.settings?.graph ?? pareto.device?.graph ?? 'ort',
    seed: pareto.settings?.seed ?? 0,
  };
}

/** Writes a file, a missing or unwritable directory said in one line. */
function writeOutput(path: string, data: Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LtsError(`cannot write ${path}: directory ${dirname(path)} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw new LtsError(`cannot write ${path}: permission denied`);
    if (code === 'EISDIR') throw new LtsError(`cannot write ${path}: it is a directory`);
    if (code === 'ENOTDIR') throw new LtsError(`cannot write ${path}: a part of its directory is a file`);
    throw e;
  }
}

export function exportCommand(): Command {
  const cmd = new Command('export')
    .description('write one architecture as an ONNX model (weights deterministic from --seed)')
    .option('--config <file>', 'architecture JSON (ArchConfig fields; missing ones take the family defaults)')
    .option('--from <pareto.json>', 'a finished run\'s pareto.json or run directory (with --id): rebuild a frontier point')
    .option('--id <id>', 'frontier point id (with --from)')
    .requiredOption('-o, --output <file>', 'output .onnx path (external-data files, if any, are written beside it)')
    .addOption(graphOption('ort: com.microsoft fused ops; standard: ai.onnx opset 17 only (default: the run\'s, else ort)'))
    .addOption(new Option('--mode <mode>', 'prefill: seq tokens in; decode: one token with a cache of --context positions').choices(['prefill', 'decode']).default('prefill'));
  return shapeOptions(cmd, "the run's, else batch 1 and 192 tokens")
    .addOption(new Option('--seed <n>', 'weight seed (default: the run\'s, else 0)').argParser(int('--seed')))
    .option('--json', 'print what was written as JSON on stdout')
    .action((o: ExportCliOptions) => {
      // Before the export, which can take a while for a large model.
      if (!statSync(dirname(o.output), { throwIfNoEntry: false })?.isDirectory()) {
        throw new LtsError(`cannot write ${o.output}: directory ${dirname(o.output)} does not exist`);
      }
      let src: Source;
      if (o.from !== undefined) {
        if (o.config !== undefined) throw new LtsError('give either --config or --from, not both');
        if (o.id === undefined) throw new LtsError('--from needs --id <frontier point id>');
        src = frontierSource(o.from, o.id);
      } else {
        if (o.config === undefined) throw new LtsError('give --config <file> or --from <pareto.json> --id <id>');
        src = { cfg: loadConfigFile(o.config), shapes: DEFAULT_SHAPES, graph: 'ort', seed: 0 };
      }
      const shapes = applyShapes(src.shapes, o);
      const form = o.graph ?? src.graph;
      const seed = o.seed ?? src.seed;
      const t0 = performance.now();
      const model = exportModel(src.cfg, { form, mode: o.mode, shapes, seed });
      const exportMs = performance.now() - t0;
      writeOutput(o.output, model.bytes);
      // ORT resolves external-data locations relative to the model file.
      const dir = dirname(o.output);
      for (const ext of model.externalData) writeOutput(join(dir, ext.path), ext.data);
      const bytes = model.bytes.byteLength + model.externalData.reduce((s, e) => s + e.data.byteLength, 0);
      const summary = {
        id: candidateId(src.cfg),
        family: src.cfg.family,
        output: o.output,
        external_data: model.externalData.map((e) => join(dir, e.path)),
        graph: form,
        mode: o.mode,
        shapes,
        seed,
        bytes,
        export_ms: Math.round(exportMs),
        inputs: model.inputs,
        outputs: model.outputs,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      } else {
        const ext = model.externalData.length ? ` + ${model.externalData.length} external-data files` : '';
        process.stderr.write(`wrote ${basename(o.output)}${ext}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${form} ${o.mode}, ` +
          `batch ${shapes.batch}, ${o.mode === 'decode' ? `context ${shapes.context}` : `seq ${shapes.seq}`}, seed ${seed}, ${summary.export_ms} ms\n`);
      }
    });
}
