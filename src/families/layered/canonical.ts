// Candidate identity of a layered config: decided on the active layers and the settings that change the
// model, nothing else. What this returns is hashed into every candidate id: never change it.
import type { ConfigSummary } from '../types.js';
import type { LayeredConfig } from './config.js';

/**
 * Per-layer lists cut to n_layer, the family's switches explicit (default false), and settings a plain
 * embedding does not use (cutoffs, d_embed) normalized away. Field order is fixed so JSON.stringify of
 * the result is a stable key.
 */
export function canonicalLayered<C extends LayeredConfig & { family: string }>(cfg: C, switches: readonly string[]): C {
  const plain = cfg.div_val === 0;
  const out: LayeredConfig & { family: string } = {
    family: cfg.family,
    n_layer: cfg.n_layer,
    d_model: cfg.d_model,
    d_inner: cfg.d_inner.slice(0, cfg.n_layer),
    n_head: cfg.n_head.slice(0, cfg.n_layer),
    div_val: cfg.div_val,
    d_embed: plain ? cfg.d_model : cfg.d_embed,
    vocab_size: cfg.vocab_size,
    cutoffs: plain ? [] : [...cfg.cutoffs],
    n_positions: cfg.n_positions,
  };
  const fields = cfg as unknown as Record<string, unknown>;
  for (const s of switches) (out as unknown as Record<string, unknown>)[s] = fields[s] === true;
  return out as C;
}

export function summarizeLayered(cfg: LayeredConfig): ConfigSummary {
  return {
    n_layer: cfg.n_layer,
    d_model: cfg.d_model,
    n_head: cfg.n_head.slice(0, cfg.n_layer),
    d_inner: cfg.d_inner.slice(0, cfg.n_layer),
    div_val: cfg.div_val,
    d_embed: cfg.d_embed,
    vocab_size: cfg.vocab_size,
    text: `${cfg.n_layer} layers, d_model ${cfg.d_model}, div_val ${cfg.div_val}`,
  };
}
