import { Command } from 'commander';
import { writeReport } from '../report/index.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('write pareto.svg, report.html, frontier.csv and per-point training configs (configs/<id>.json) into a search run directory')
    .argument('<run-dir>', 'directory holding pareto.json and candidates.jsonl')
    .option('--calibration <name|file>', 'perplexity calibration for the candidates (default: the one named in pareto.json)')
    .action(async (runDir: string, opts: { calibration?: string }) => {
      const { files } = await writeReport(runDir, opts.calibration ? { calibration: opts.calibration } : {});
      for (const f of files) process.stdout.write(`${f}\n`);
    });
}
