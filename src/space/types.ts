// Plain, JSON-serializable data passed between the stages search -> space -> proxy -> export -> profile -> pareto.

export type Family = 'gpt2' | 'transfo-xl' | 'primer';
export const FAMILIES: readonly Family[] = ['gpt2', 'transfo-xl', 'primer'];

/**
 * One candidate architecture. Per-layer lists may hold more slots than n_layer (the genome keeps
 * max(n_layer) slots so a mutation that adds layers has genes to use); only the first n_layer are
 * active, and everything downstream (key, proxy, export) reads the active part only.
 */
export interface ArchConfig {
  family: Family;
  n_layer: number;
  d_model: number;
  /** Per-layer FFN width. */
  d_inner: number[];
  /** Per-layer head count; head_dim = floor(d_model / n_head[i]). */
  n_head: number[];
  /** 0: plain token embedding tied to the output layer (HF GPT-2). >= 1: adaptive embedding and softmax. */
  div_val: number;
  /** Embedding width of the first adaptive cluster (and of the plain embedding); equals d_model unless set. */
  d_embed: number;
  vocab_size: number;
  /** Inner cluster boundaries for adaptive embedding/softmax, strictly increasing, all < vocab_size. */
  cutoffs: number[];
  /** Learned position table size (gpt2, primer). */
  n_positions: number;
  /** Primer switches (family 'primer' only). */
  primer_square?: boolean;
  primer_conv?: boolean;
}

/** Shapes that a measurement (and so an exported graph) is fixed to. */
export interface ShapeSettings {
  batch: number;
  /** Tokens per forward pass (prefill length; the LTS setting is 192). */
  seq: number;
  /** Transformer-XL memory length filled for the measurement. */
  mem_len: number;
  /** Past positions in the cache for the decode metric. */
  context: number;
}
