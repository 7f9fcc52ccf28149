// The cost features' terms for the parts every family's decoder is built from: an attention sub-layer,
// a feed-forward and a tied output layer (src/cost's FEATURE_NAMES). One formula per part, so that a
// per-layer family and a family of searched blocks count the same work the same way, and one cost
// model fits a `--family all` run.

/** Bytes of a float32 weight or activation. */
export const F32 = 4;

/** Weights every token passes through in an attention of width a (heads x head_dim): Q, K, V and output projections, biases aside. */
export const attnWeights = (d: number, a: number): number => 4 * d * a;

/** Weights every token passes through in a feed-forward of width f: its two linear maps, biases aside. */
export const ffnWeights = (d: number, f: number): number => 2 * d * f;

/**
 * Elements a token's elementwise ops write around an attention: its LayerNorm, bias and residual adds
 * (3d, half of a layer's), and the q|k|v split (3a).
 */
export const attnActElems = (d: number, a: number): number => 3 * d + 3 * a;

/** ... and around a feed-forward: LayerNorm, bias and residual adds (3d), and the activation (f). */
export const ffnActElems = (d: number, f: number): number => 3 * d + f;

/** Scores and weighted values of `queries` queries per batch row over `keys` keys, at width a (2 FLOPs a multiply-add). */
export const attnScoreFlops = (batch: number, queries: number, keys: number, a: number): number => 4 * batch * queries * keys * a;

/** Softmax elements of one attention: a score per head, query and key. */
export const attnSoftmaxElems = (batch: number, queries: number, keys: number, heads: number): number => batch * queries * keys * heads;

/** Keys and values one attention of width a caches for `keys` positions per batch row. */
export const kvCacheElems = (batch: number, keys: number, a: number): number => 2 * batch * keys * a;

/** Logits of the last position per batch row through a plain [vocab, d] output layer (tied or not). */
export const plainOutputFlops = (batch: number, vocab: number, d: number): number => 2 * batch * vocab * d;
