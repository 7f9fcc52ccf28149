// Candidate identity: decided on the active layers and the settings that change the model, nothing else.
import { createHash } from 'node:crypto';
import type { ArchConfig } from './types.js';

/**
 * The config as it is identified: per-layer lists cut to n_layer, Primer switches only on Primer
 * (default false), and settings a plain embedding does not use (cutoffs, d_embed) normalized away.
 * Field order is fixed so JSON.stringify of the result is a stable key.
 */
export function canonical(cfg: ArchConfig): ArchConfig {
  const plain = cfg.div_val === 0;
  const out: ArchConfig = {
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
  if (cfg.family === 'primer') {
    out.primer_square = cfg.primer_square === true;
    out.primer_conv = cfg.primer_conv === true;
  }
  return out;
}

export function candidateKey(cfg: ArchConfig): string {
  return JSON.stringify(canonical(cfg));
}

/** Short stable id: family + 10 hex chars of sha256(key), e.g. `gpt2-1a2b3c4d5e`. */
export function candidateId(cfg: ArchConfig): string {
  const hex = createHash('sha256').update(candidateKey(cfg)).digest('hex').slice(0, 10);
  return `${cfg.family}-${hex}`;
}
