// `lts pick`: which frontier point to deploy under cost limits, with its predicted perplexity and why
// its neighbours lost; optionally written out as ONNX (through `lts export`) and as a config.
import { Command } from 'commander';
import { formatPick, pickPoint, type Limits } from '../pick/index.js';
import { intervalRecord } from '../calibrate/index.js';
import { reportCalibrations } from '../report/calibration.js';
import { readPareto } from '../search/results.js';
import { writeFileAtomic } from '../util/atomic.js';
import { exportCommand } from './export.js';
import { positive } from './options.js';

interface PickOptions {
  latencyMax?: number;
  decodeMax?: number;
  memoryMax?: number;
  calibration?: string;
  export?: string;
  configOut?: string;
  json?: boolean;
}

export function pickCommand(): Command {
  return new Command('pick')
    .description('choose the frontier point to deploy: the best predicted perplexity within your latency / memory limits')
    .argument('<run-dir>', 'a search run directory (pareto.json)')
    .option('--latency-max <ms>', 'prefill latency limit (median, ms)', positive('--latency-max'))
    .option('--decode-max <ms>', 'per-token decode latency limit (median, ms)', positive('--decode-max'))
    .option('--memory-max <MB>', 'peak inference memory limit (MB)', positive('--memory-max'))
    .option('--calibration <name|file>', 'perplexity calibration (default: the run\'s, as in lts report)')
    .option('--export <model.onnx>', 'also write the chosen model as ONNX (the run\'s graph form, shapes and seed)')
    .option('--config-out <config.json>', 'also write the chosen architecture as an lts config')
    .option('--json', 'print the choice as JSON on stdout')
    .action(async (runDir: string, o: PickOptions) => {
      const pareto = readPareto(runDir);
      const limits: Limits = {
        ...(o.latencyMax !== undefined ? { latency: o.latencyMax } : {}),
        ...(o.decodeMax !== undefined ? { decode: o.decodeMax } : {}),
        ...(o.memoryMax !== undefined ? { memory: o.memoryMax } : {}),
      };
      const cal = reportCalibrations(pareto, o.calibration);
      const pick = pickPoint(pareto, limits, cal.forFamily);
      const c = pick.chosen;
      if (o.json) {
        const out = {
          id: c.point.id, family: c.point.family, config: c.point.config, decoder_params: c.point.decoder_params, total_params: c.point.total_params,
          latency: c.point.latency?.median_ms, decode: c.point.decode?.median_ms, memory: c.point.memory?.inference_peak_mb,
          predicted_ppl: c.pred.ppl, predicted_ppl_interval: intervalRecord(c.pred), limits, fitting: pick.fitting, ranked_by: pick.rankedBy,
          neighbours: pick.neighbours.map((n) => ({ id: n.scored.point.id, predicted_ppl: n.scored.pred.ppl, why: n.why })),
        };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        process.stdout.write(formatPick(pick, pareto, limits) + '\n');
      }
      if (o.configOut) {
        writeFileAtomic(o.configOut, JSON.stringify(c.point.config, null, 2) + '\n');
        process.stderr.write(`wrote ${o.configOut}\n`);
      }
      if (o.export) await exportCommand().exitOverride().parseAsync(['--from', runDir, '--id', c.point.id, '-o', o.export], { from: 'user' });
    });
}
