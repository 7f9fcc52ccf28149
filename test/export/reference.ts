// A plain TypeScript forward pass of GPT-2 / Primer-EZ, written for the tests: loops over Float64
// arrays, one sequence at a time, with the same deterministic weights (by HF name) as the exporter.
// It shares nothing with the graph writer but the weight generator and the names.
import { initWeight, type InitKind } from '../../src/export/weights.js';
import type { ArchConfig } from '../../src/space/types.js';

export interface ReferenceResult {
  /** Next-token logits of the last position (log-probs with an adaptive softmax), per sequence [vocab]. */
  logits: Float64Array[];
  /** Per layer, per sequence: keys and values [heads][T][head_dim] flattened. */
  keys: Float64Array[][];
  values: Float64Array[][];
  /** Per layer, per sequence: pre-conv q|k|v rows [T][3a] (Primer with the conv). */
  preconv: Float64Array[][];
}

export class Params {
  private cache = new Map<string, Float32Array>();
  constructor(
    readonly seed: number,
    readonly scale: number,
  ) {}
  get(name: string, kind: InitKind, size: number): Float32Array {
    let t = this.cache.get(name);
    if (!t) {
      t = initWeight(this.seed, name, kind, size, this.scale);
      this.cache.set(name, t);
    }
    if (t.length !== size) throw new Error(`${name}: size ${t.length}, wanted ${size}`);
    return t;
  }
}

export function layerNorm(x: Float64Array, g: Float32Array, b: Float32Array): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  v /= n;
  const inv = 1 / Math.sqrt(v + 1e-5);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = (x[i]! - mean) * inv * g[i]! + b[i]!;
  return y;
}

/** y = x @ W + b with W stored [in, out] row-major. */
export function linear(x: Float64Array, W: Float32Array, b: Float32Array | null, out: number): Float64Array {
  const y = new Float64Array(out);
  for (let j = 0; j < out; j++) y[j] = b ? b[j]! : 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    for (let j = 0; j < out; j++) y[j] += xi * W[i * out + j]!;
  }
  return y;
}

/** y = x @ M^T with M stored [rows, x.length]. */
export function linearT(x: Float64Array, M: Float32Array, rows: number, rowStart = 0): Float64Array {
  const n = x.length;
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * M[(rowStart + r) * n + i]!;
    y[r] = s;
  }
  return y;
}

export function logSoftmax(x: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let z = 0;
  for (const v of x) z += Math.exp(v - m);
  const lz = m + Math.log(z);
  return x.map((v) => v - lz);
}

export const gelu = (x: number): number => 0.5 * x * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x ** 3)));

interface Cluster {
  start: number;
  end: number;
  width: number;
}

function clusters(cfg: ArchConfig): Cluster[] {
  const ends = [0, ...cfg.cutoffs, cfg.vocab_size];
  return ends.slice(1).map((end, k) => ({
    start: ends[k]!,
    end,
    width: cfg.div_val === 1 ? cfg.d_embed : Math.floor(cfg.d_embed / cfg.div_val ** k),
  }));
}

/** HF AdaptiveEmbedding: the token's cluster row, projected to d_model, times sqrt(d_model). */
function adaptiveEmbed(p: Params, cfg: ArchConfig, id: number): Float64Array {
  const d = cfg.d_model;
  const cs = clusters(cfg);
  const k = cs.findIndex((c) => id < c.end);
  const c = cs[k]!;
  const kk = cfg.div_val === 1 ? 0 : k;
  const rows = cfg.div_val === 1 ? cfg.vocab_size : c.end - c.start;
  const table = p.get(`transformer.wte.emb_layers.${kk}.weight`, 'normal', rows * c.width);
  const row = cfg.div_val === 1 ? id : id - c.start;
  let e: Float64Array = Float64Array.from(table.subarray(row * c.width, (row + 1) * c.width));
  if (cfg.div_val > 1 || cfg.d_embed !== d) {
    e = linearT(e, p.get(`transformer.wte.emb_projs.${kk}`, 'normal', d * c.width), d);
  }
  return e.map((v) => v * Math.sqrt(d));
}

/** HF ProjectedAdaptiveLogSoftmax (tie_weight, tie_projs [false, true, ...]), full-vocab log-probs. */
function adaptiveLogProbs(p: Params, cfg: ArchConfig, h: Float64Array): Float64Array {
  const d = cfg.d_model;
  const de = cfg.d_embed;
  const cs = clusters(cfg);
  const nc = cs.length - 1;
  const logitsOf = (k: number, extra?: { w: Float32Array; b: Float32Array }): Float64Array => {
    const c = cs[k]!;
    const n = c.end - c.start;
    let table: Float32Array, bias: Float32Array, proj: Float32Array | null, row0: number, b0: number;
    if (cfg.div_val === 1) {
      table = p.get('transformer.wte.emb_layers.0.weight', 'normal', cfg.vocab_size * de);
      bias = p.get('crit.out_layers.0.bias', 'bias', cfg.vocab_size);
      proj = de === d ? null : p.get(k === 0 ? 'crit.out_projs.0' : 'transformer.wte.emb_projs.0', 'normal', d * de);
      row0 = c.start;
      b0 = c.start;
    } else {
      table = p.get(`transformer.wte.emb_layers.${k}.weight`, 'normal', n * c.width);
      bias = p.get(`crit.out_layers.${k}.bias`, 'bias', n);
      proj = p.get(k === 0 ? 'crit.out_projs.0' : `transformer.wte.emb_projs.${k}`, 'normal', d * c.width);
      row0 = 0;
      b0 = 0;
    }
    const ph = proj ? linear(h, proj, null, c.width) : h; // h @ proj
    const out = linearT(ph, table, n, row0);
    for (let r = 0; r < n; r++) out[r] += bias[b0 + r]!;
    if (!extra) return out;
    const cl = linearT(ph, extra.w, nc);
    const all = new Float64Array(n + nc);
    all.set(out);
    for (let r = 0; r < nc; r++) all[n + r] = cl[r]! + extra.b[r]!;
    return all;
  };
  if (nc === 0) return logSoftmax(logitsOf(0));
  const head = logSoftmax(logitsOf(0, { w: p.get('crit.cluster_weight', 'normal', nc * de), b: p.get('crit.cluster_bias', 'bias', nc) }));
  const out = new Float64Array(cfg.vocab_size);
  const c0 = cs[0]!.end;
  out.set(head.subarray(0, c0));
  for (let k = 1; k <= nc; k++) {
    const tail = logSoftmax(logitsOf(k));
    for (let r = 0; r < tail.length; r++) out[cs[k]!.start + r] = head[c0 + k - 1]! + tail[r]!;
  }
  return out;
}

/** Forward pass over each sequence of `ids` (all of the same length). */
export function referenceForward(cfg: ArchConfig, seed: number, scale: number, ids: number[][]): ReferenceResult {
  const p = new Params(seed, scale);
  const d = cfg.d_model;
  const primer = cfg.family === 'primer';
  const conv = primer && !!cfg.primer_conv;
  const square = primer && !!cfg.primer_square;
  const res: ReferenceResult = { logits: [], keys: [], values: [], preconv: [] };
  for (let i = 0; i < cfg.n_layer; i++) {
    res.keys.push([]);
    res.values.push([]);
    res.preconv.push([]);
  }
  for (const seq of ids) {
    const T = seq.length;
    const wpe = p.get('transformer.wpe.weight', 'normal', cfg.n_positions * d);
    let x = seq.map((id, t) => {
      const e = cfg.div_val === 0
        ? Float64Array.from(p.get('transformer.wte.weight', 'normal', cfg.vocab_size * d).subarray(id * d, (id + 1) * d))
        : adaptiveEmbed(p, cfg, id);
      for (let j = 0; j < d; j++) e[j] += wpe[t * d + j]!;
      return e;
    });
    for (let i = 0; i < cfg.n_layer; i++) {
      const P = `transformer.h.${i}`;
      const H = cfg.n_head[i]!;
      const hd = Math.floor(d / H);
      const a = H * hd;
      const f = cfg.d_inner[i]!;
      // attention
      const Wqkv = p.get(`${P}.attn.c_attn.weight`, 'normal', d * 3 * a);
      const bqkv = p.get(`${P}.attn.c_attn.bias`, 'bias', 3 * a);
      const pre = x.map((xt) => linear(layerNorm(xt, p.get(`${P}.ln_1.weight`, 'ln_scale', d), p.get(`${P}.ln_1.bias`, 'ln_shift', d)), Wqkv, bqkv, 3 * a));
      const flatPre = new Float64Array(T * 3 * a);
      pre.forEach((r, t) => flatPre.set(r, t * 3 * a));
      res.preconv[i]!.push(flatPre);
      let qkv = pre;
      if (conv) {
        // y[t] = w0 x[t] + w1 x[t-1] + w2 x[t-2]; stored taps [c, 0, 3] with the current token last.
        const taps = ['q', 'k', 'v'].map((n) => p.get(`${P}.attn.${n}_dconv.weight`, 'conv', a * 3));
        qkv = pre.map((_, t) => {
          const y = new Float64Array(3 * a);
          for (let ch = 0; ch < 3 * a; ch++) {
            const w = taps[Math.floor(ch / a)]!;
            const c = ch % a;
            for (let j = 0; j < 3; j++) if (t - j >= 0) y[ch] += w[c * 3 + (2 - j)]! * pre[t - j]![ch]!;
          }
          return y;
        });
      }
      const K = new Float64Array(H * T * hd);
      const V = new Float64Array(H * T * hd);
      for (let t = 0; t < T; t++) for (let hh = 0; hh < H; hh++) for (let j = 0; j < hd; j++) {
        K[(hh * T + t) * hd + j] = qkv[t]![a + hh * hd + j]!;
        V[(hh * T + t) * hd + j] = qkv[t]![2 * a + hh * hd + j]!;
      }
      res.keys[i]!.push(K);
      res.values[i]!.push(V);
      const Wo = p.get(`${P}.attn.c_proj.weight`, 'normal', a * d);
      const bo = p.get(`${P}.attn.c_proj.bias`, 'bias', d);
      x = x.map((xt, t) => {
        const y = new Float64Array(a);
        for (let hh = 0; hh < H; hh++) {
          const s = new Float64Array(t + 1);
          for (let u = 0; u <= t; u++) {
            let dot = 0;
            for (let j = 0; j < hd; j++) dot += qkv[t]![hh * hd + j]! * K[(hh * T + u) * hd + j]!;
            s[u] = dot / Math.sqrt(hd);
          }
          const lp = logSoftmax(s);
          for (let u = 0; u <= t; u++) for (let j = 0; j < hd; j++) y[hh * hd + j] += Math.exp(lp[u]!) * V[(hh * T + u) * hd + j]!;
        }
        const o = linear(y, Wo, bo, d);
        return xt.map((v, j) => v + o[j]!);
      });
      // feed-forward
      const Wfc = p.get(`${P}.mlp.c_fc.weight`, 'normal', d * f);
      const bfc = p.get(`${P}.mlp.c_fc.bias`, 'bias', f);
      const Wp = p.get(`${P}.mlp.c_proj.weight`, 'normal', f * d);
      const bp = p.get(`${P}.mlp.c_proj.bias`, 'bias', d);
      x = x.map((xt) => {
        const hdn = linear(layerNorm(xt, p.get(`${P}.ln_2.weight`, 'ln_scale', d), p.get(`${P}.ln_2.bias`, 'ln_shift', d)), Wfc, bfc, f);
        const act = hdn.map((v) => (square ? Math.max(v, 0) ** 2 : gelu(v)));
        const o = linear(act, Wp, bp, d);
        return xt.map((v, j) => v + o[j]!);
      });
    }
    const h = layerNorm(x[T - 1]!, p.get('transformer.ln_f.weight', 'ln_scale', d), p.get('transformer.ln_f.bias', 'ln_shift', d));
    res.logits.push(cfg.div_val === 0
      ? linearT(h, p.get('transformer.wte.weight', 'normal', cfg.vocab_size * d), cfg.vocab_size)
      : adaptiveLogProbs(p, cfg, h));
  }
  return res;
}
