import { Command } from 'commander';
import { definitionOf } from '../families/index.js';
import { paramBreakdown, type ParamBreakdown } from '../proxy/index.js';
import { candidateId, canonical, loadConfigFile } from '../space/index.js';
import type { ArchConfig } from '../space/types.js';

const n = (x: number) => x.toLocaleString('en-US');

export function formatParams(cfg: ArchConfig, b: ParamBreakdown): string {
  const rows: [string, number][] = [
    ['attention', b.attention],
    ['ffn', b.ffn],
    ['layernorm', b.layernorm],
    ['decoder', b.decoder],
    ['embedding', b.embedding],
    ['output', b.output],
    ['total', b.total],
  ];
  for (const [k, v] of Object.entries(b.extra ?? {})) rows.push([k, v]);
  const w = Math.max(...rows.map(([, v]) => n(v).length));
  const head = `${candidateId(cfg)}  ${cfg.family}, ${definitionOf(cfg).summary(cfg).text}`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${n(v).padStart(w)}`)].join('\n');
}

export function paramsCommand(): Command {
  return new Command('params')
    .description('exact decoder-parameter count (the search proxy) and total parameters of one architecture')
    .requiredOption('--config <file>', 'architecture JSON (ArchConfig fields; missing ones take the family defaults)')
    .option('--json', 'print JSON on stdout')
    .action((opts: { config: string; json?: boolean }) => {
      const cfg = loadConfigFile(opts.config);
      const b = paramBreakdown(cfg);
      if (opts.json) {
        const out = { id: candidateId(cfg), config: canonical(cfg), decoder_params: b.decoder, total_params: b.total, breakdown: b };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        process.stdout.write(formatParams(cfg, b) + '\n');
      }
    });
}
