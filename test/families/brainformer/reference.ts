// A plain TypeScript forward pass of a Brainformer candidate for the tests: loops over Float64 arrays,
// one sequence at a time, the same deterministic weights (by name) as the exporter, and routing written
// from its definition: p = softmax(h Wr); the top-k experts by p, ties to the higher index; weights
// p_e / sum(top-k p); the output is sum_e w_e fc2_e(act(fc1_e(h))). Shares nothing with the graph writer
// but the weight generator and the names.
import { sublayers, type Activation, type BrainformerConfig } from '../../../src/families/brainformer/config.js';
import { Params, gelu, layerNorm, linear, linearT, logSoftmax } from '../../export/reference.js';

export interface BrainformerReference {
  /** Next-token logits of the last position, per sequence [vocab]. */
  logits: Float64Array[];
  /** Per attention sub-layer index, per sequence: keys and values [heads][T][head_dim] flattened. */
  keys: Map<number, Float64Array[]>;
  values: Map<number, Float64Array[]>;
  /** Per MoE sub-layer index: how many tokens (over all sequences) each expert received. */
  load: Map<number, number[]>;
}

const act = (v: number, a: Activation): number => (a === 'relu2' ? Math.max(v, 0) ** 2 : gelu(v));

/** Top-k expert ids of one probability vector: largest first, ties to the higher index. */
export function topK(p: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: p.length }, (_, e) => e).sort((a, b) => p[b]! - p[a]! || b - a).slice(0, k);
}

export function brainformerReference(cfg: BrainformerConfig, seed: number, scale: number, ids: number[][]): BrainformerReference {
  const p = new Params(seed, scale);
  const d = cfg.d_model;
  const subs = sublayers(cfg);
  const res: BrainformerReference = { logits: [], keys: new Map(), values: new Map(), load: new Map() };
  const ln = (x: Float64Array, name: string) => layerNorm(x, p.get(`${name}.weight`, 'ln_scale', d), p.get(`${name}.bias`, 'ln_shift', d));
  for (const seq of ids) {
    const T = seq.length;
    const wte = p.get('transformer.wte.weight', 'normal', cfg.vocab_size * d);
    const wpe = p.get('transformer.wpe.weight', 'normal', cfg.n_positions * d);
    let x = seq.map((id, t) => Float64Array.from({ length: d }, (_, j) => wte[id * d + j]! + wpe[t * d + j]!));
    subs.forEach((s, i) => {
      const P = `transformer.h.${i}`;
      const h = x.map((xt) => ln(xt, `${P}.ln`));
      let o: Float64Array[];
      if (s.kind === 'attn') {
        const H = s.n_head;
        const hd = d / H;
        const qkv = h.map((ht) => linear(ht, p.get(`${P}.attn.c_attn.weight`, 'normal', d * 3 * d), p.get(`${P}.attn.c_attn.bias`, 'bias', 3 * d), 3 * d));
        const K = new Float64Array(H * T * hd);
        const V = new Float64Array(H * T * hd);
        for (let t = 0; t < T; t++) for (let hh = 0; hh < H; hh++) for (let j = 0; j < hd; j++) {
          K[(hh * T + t) * hd + j] = qkv[t]![d + hh * hd + j]!;
          V[(hh * T + t) * hd + j] = qkv[t]![2 * d + hh * hd + j]!;
        }
        if (!res.keys.has(i)) [res.keys, res.values].forEach((m) => m.set(i, []));
        res.keys.get(i)!.push(K);
        res.values.get(i)!.push(V);
        const Wo = p.get(`${P}.attn.c_proj.weight`, 'normal', d * d);
        const bo = p.get(`${P}.attn.c_proj.bias`, 'bias', d);
        o = qkv.map((q, t) => {
          const y = new Float64Array(d);
          for (let hh = 0; hh < H; hh++) {
            const sc = Float64Array.from({ length: t + 1 }, (_, u) => {
              let dot = 0;
              for (let j = 0; j < hd; j++) dot += q[hh * hd + j]! * K[(hh * T + u) * hd + j]!;
              return dot / Math.sqrt(hd);
            });
            const lp = logSoftmax(sc);
            for (let u = 0; u <= t; u++) for (let j = 0; j < hd; j++) y[hh * hd + j] += Math.exp(lp[u]!) * V[(hh * T + u) * hd + j]!;
          }
          return linear(y, Wo, bo, d);
        });
      } else if (s.kind === 'ffn') {
        const f = s.d_inner;
        const W1 = p.get(`${P}.mlp.c_fc.weight`, 'normal', d * f);
        const b1 = p.get(`${P}.mlp.c_fc.bias`, 'bias', f);
        const W2 = p.get(`${P}.mlp.c_proj.weight`, 'normal', f * d);
        const b2 = p.get(`${P}.mlp.c_proj.bias`, 'bias', d);
        o = h.map((ht) => linear(linear(ht, W1, b1, f).map((v) => act(v, s.act)), W2, b2, d));
      } else {
        const { experts: E, top_k: k, d_inner: f } = s;
        const Wr = p.get(`${P}.moe.router.weight`, 'normal', d * E);
        const fc1 = p.get(`${P}.moe.fc1.weight`, 'normal', E * f * d); // [E, f, d]: out x in
        const b1 = p.get(`${P}.moe.fc1.bias`, 'bias', E * f);
        const fc2 = p.get(`${P}.moe.fc2.weight`, 'normal', E * d * f); // [E, d, f]
        const b2 = p.get(`${P}.moe.fc2.bias`, 'bias', E * d);
        if (!res.load.has(i)) res.load.set(i, new Array<number>(E).fill(0));
        o = h.map((ht) => {
          const probs = logSoftmax(linear(ht, Wr, null, E)).map(Math.exp);
          const chosen = topK(probs, k);
          const sum = chosen.reduce((a, e) => a + probs[e]!, 0);
          const y = new Float64Array(d);
          for (const e of chosen) {
            res.load.get(i)![e]! += 1;
            const z = linearT(ht, fc1, f, e * f);
            const a = z.map((v, r) => act(v + b1[e * f + r]!, s.act));
            const out = linearT(a, fc2, d, e * d);
            for (let j = 0; j < d; j++) y[j] += (probs[e]! / sum) * (out[j]! + b2[e * d + j]!);
          }
          return y;
        });
      }
      x = x.map((xt, t) => xt.map((v, j) => v + o[t]![j]!));
    });
    const hl = ln(x[T - 1]!, 'transformer.ln_f');
    res.logits.push(linearT(hl, wte, cfg.vocab_size));
  }
  return res;
}
