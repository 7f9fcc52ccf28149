import { Command, Option } from 'commander';
import { formatPrediction, intervalRecord, predictInterval, type Calibration, type PplPrediction } from '../calibrate/index.js';
import { calibrationFor } from '../calibrate/resolve.js';
import { definitionOf } from '../families/index.js';
import { paramBreakdown, type ParamBreakdown } from '../proxy/index.js';
import { allProxyChoices, chooseProxies } from '../search/proxy-choice.js';
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

/** The predicted-perplexity lines under the counts. */
export function formatPpl(p: PplPrediction, cal: Calibration): string {
  const m = (x: number): string => `${(x / 1e6).toFixed(2)}M`;
  const range = `${m(cal.params_range.min)}..${m(cal.params_range.max)}`;
  return [
    `  predicted ppl ${formatPrediction(p, { tags: false })}  (90 % interval, ${cal.name}${p.anchored ? ', anchored' : ', unanchored: the training recipe is unknown'})`,
    `  calibrated range ${range} decoder params: ${p.in_range ? 'inside' : 'outside (extrapolated, interval widened)'}`,
  ].join('\n');
}

export function paramsCommand(): Command {
  const cmd = new Command('params')
    .description('exact decoder-parameter count (the search proxy) and total parameters of one architecture')
    .requiredOption('--config <file>', 'architecture JSON (ArchConfig fields; missing ones take the family defaults)')
    .addOption(new Option('--dataset <name>', 'dataset of the built-in calibration for the predicted perplexity').choices(['wt103', 'lm1b']).conflicts('calibration'))
    .option('--calibration <name|file>', 'calibration for the predicted perplexity (default: the family\'s built-in wt103 curve)')
    .option('--json', 'print JSON on stdout');
  // A family whose proxy is one of several counts: the count a search would rank by (--moe-proxy).
  for (const c of allProxyChoices()) cmd.addOption(new Option(`--${c.setting.replace(/_/g, '-')} <count>`, c.help).choices([...c.choices]));
  return cmd.action((opts: { config: string; json?: boolean; dataset?: string; calibration?: string } & Record<string, string | undefined>) => {
    const cfg = loadConfigFile(opts.config);
    const b = paramBreakdown(cfg);
    const def = definitionOf(cfg);
    const chosen = chooseProxies([cfg.family], opts);
    const pc = def.proxyChoice;
    const choice = pc ? chosen[pc.setting] : undefined;
    const proxyValue = def.proxyParams(cfg, pc && choice ? { [pc.spaceKey]: choice } : undefined);
    const cal = calibrationFor(cfg.family, { ...(opts.calibration ? { calibration: opts.calibration } : {}), ...(opts.dataset ? { dataset: opts.dataset } : {}) });
    // The calibration reads the proxy count (the decoder count for dense families).
    const pred = predictInterval(cal, proxyValue);
    if (opts.json) {
      const out = {
        id: candidateId(cfg), config: canonical(cfg), decoder_params: b.decoder, total_params: b.total,
        ...(pc && choice ? { [pc.setting]: choice, [`${pc.setting}_source`]: pc.source[choice], proxy_params: proxyValue } : {}),
        breakdown: b,
        predicted_ppl: pred.ppl, predicted_ppl_interval: { ...intervalRecord(pred), params_range: cal.params_range },
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      const proxy = pc && choice ? { name: choice, value: proxyValue } : undefined;
      process.stdout.write(formatParams(cfg, b, proxy) + '\n' + formatPpl(pred, cal) + '\n');
    }
  });
}
