import { Command, Option } from 'commander';
import { DEFAULT_MOE_PROXY, MOE_PROXIES, MOE_PROXY_SOURCE, parseMoeProxy, type MoeProxy } from '../families/brainformer/proxy.js';
import { LtsError } from '../util/errors.js';
import { definitionOf } from '../families/index.js';
import { paramBreakdown, type ParamBreakdown } from '../proxy/index.js';
import { candidateId, canonical, loadConfigFile } from '../space/index.js';
import type { ArchConfig } from '../space/types.js';

const n = (x: number) => x.toLocaleString('en-US');

export function formatParams(cfg: ArchConfig, b: ParamBreakdown, proxy?: { name: string; value: number }): string {
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
  if (proxy) rows.push([`proxy (${proxy.name})`, proxy.value]);
  const w = Math.max(...rows.map(([, v]) => n(v).length));
  const k0 = Math.max(10, ...rows.map(([k]) => k.length));
  const head = `${candidateId(cfg)}  ${cfg.family}, ${definitionOf(cfg).summary(cfg).text}`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(k0)} ${n(v).padStart(w)}`)].join('\n');
}

export function paramsCommand(): Command {
  return new Command('params')
    .description('exact decoder-parameter count (the search proxy) and total parameters of one architecture')
    .requiredOption('--config <file>', 'architecture JSON (ArchConfig fields; missing ones take the family defaults)')
    .addOption(new Option('--moe-proxy <count>', 'brainformer: the count the search would rank by: effective (dense-equivalent, Clark et al. 2022), activated or total').choices([...MOE_PROXIES]))
    .option('--json', 'print JSON on stdout')
    .action((opts: { config: string; json?: boolean; moeProxy?: string }) => {
      const cfg = loadConfigFile(opts.config);
      const b = paramBreakdown(cfg);
      // A mixture-of-experts family's proxy is one of its counts, chosen as the search would choose it.
      const moe = cfg.family === 'brainformer' ? parseMoeProxy(opts.moeProxy ?? DEFAULT_MOE_PROXY) : undefined;
      if (opts.moeProxy !== undefined && !moe) throw new LtsError('--moe-proxy applies to brainformer configs');
      const proxy = moe ? { name: moe, value: definitionOf(cfg).proxyParams(cfg, { proxy: moe }) } : undefined;
      if (opts.json) {
        const out = {
          id: candidateId(cfg), config: canonical(cfg), decoder_params: b.decoder, total_params: b.total,
          ...(proxy ? { moe_proxy: proxy.name, moe_proxy_source: MOE_PROXY_SOURCE[proxy.name as MoeProxy], proxy_params: proxy.value } : {}),
          breakdown: b,
        };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        process.stdout.write(formatParams(cfg, b, proxy) + '\n');
      }
    });
}
