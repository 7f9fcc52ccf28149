import { Command } from 'commander';
import { correlateTable, readTrainedFile, type GroupCorrelation } from '../calibrate/index.js';

function fmt(x: number): string {
  return Number.isNaN(x) ? '-' : x.toFixed(3);
}

export function formatCorrelations(rows: readonly GroupCorrelation[]): string {
  const header = ['set', 'n', 'skipped', 'spearman', 'kendall', 'top10%', 'top50%'];
  const body = rows.map((r) => [r.group, String(r.n), String(r.skipped), fmt(r.spearman), fmt(r.kendall), fmt(r.top10_overlap), fmt(r.top50_overlap)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function correlateCommand(): Command {
  return new Command('correlate')
    .description('rank correlation (Spearman, Kendall tau-b) and top-10 % / top-50 % overlap of decoder params vs -perplexity, per set of trained models')
    .requiredOption('--data <file>', 'trained models: JSON lines or CSV, a config and a perplexity (valid_ppl or ppl) per row')
    .option('--json', 'print JSON on stdout')
    .action((opts: { data: string; json?: boolean }) => {
      const table = readTrainedFile(opts.data);
      const result = correlateTable(table);
      if (opts.json) {
        // NaN (a constant group) is not JSON: emit null.
        process.stdout.write(JSON.stringify({ source: opts.data, skipped: table.skipped, groups: result }, (_k, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2) + '\n');
      } else {
        process.stdout.write(formatCorrelations(result) + '\n');
        if (table.skipped > 0) process.stderr.write(`${table.skipped} row(s) without a perplexity skipped\n`);
      }
    });
}
