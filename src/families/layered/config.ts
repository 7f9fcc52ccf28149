// The config shape the per-layer families share (gpt2, transfo-xl, primer): a stack of n_layer
// attention + FFN layers, each with its own head count and FFN width.

/**
 * Per-layer lists may hold more slots than n_layer (the genome keeps max(n_layer) slots so a mutation
 * that adds layers has genes to use); only the first n_layer are active, and everything downstream
 * (key, proxy, export) reads the active part only.
 */
export interface LayeredConfig {
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
  /** Learned position table size (unused by relative-position families, kept in their key as written). */
  n_positions: number;
}
