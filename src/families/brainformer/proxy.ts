// Which of the three sizes (params.ts) the search ranks a Brainformer by: `--moe-proxy`.
import { LtsError } from '../../util/errors.js';
import type { BrainformerParams } from './params.js';

export type MoeProxy = 'effective' | 'activated' | 'total';
export const MOE_PROXIES: readonly MoeProxy[] = ['effective', 'activated', 'total'];
export const DEFAULT_MOE_PROXY: MoeProxy = 'effective';

/** What each choice is and where it comes from, for pareto.json and the report. */
export const MOE_PROXY_SOURCE: Record<MoeProxy, string> = {
  effective: 'dense-equivalent decoder params of the activated params routed over the experts, Clark et al. 2022 (Unified Scaling Laws for Routed Language Models), S-BASE fit; a published prior applied far below its fitted scale',
  activated: 'decoder params one token uses (attention, dense FFN, routers, top-k experts)',
  total: 'every decoder param, all experts',
};

export function parseMoeProxy(v: string): MoeProxy {
  if (!(MOE_PROXIES as readonly string[]).includes(v)) {
    throw new LtsError(`--moe-proxy must be one of ${MOE_PROXIES.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as MoeProxy;
}

/** The size the proxy ranks by (rounded: the effective count is a real number). */
export function proxyParams(p: BrainformerParams, proxy: MoeProxy): number {
  if (proxy === 'total') return p.decoder;
  if (proxy === 'activated') return p.activated;
  return Math.round(p.effective);
}
