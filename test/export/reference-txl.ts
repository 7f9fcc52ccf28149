// A plain-loop Transformer-XL forward pass (reference §6, Hugging Face TransfoXLLMHeadModel semantics,
// inference mode), written independently of the ONNX graphs so the tests can check both graph forms
// against it. Batch-first: hidden states are [batch][time][d_model]; mems.{i} are [batch][mem][d_model].
import type { ArchConfig } from '../../src/space/types.js';

type Weights = Record<string, Float32Array>;
type Mat = number[][]; // [time][channel]

function w(ws: Weights, name: string): Float32Array {
  const t = ws[name];
  if (!t) throw new Error(`reference: missing weight ${name}`);
  return t;
}

/** y[t][o] = sum_i x[t][i] * W[o][i] (+ b[o]); W is an HF Linear weight [out, in]. */
function linear(x: Mat, W: Float32Array, out: number, b?: Float32Array): Mat {
  const inn = W.length / out;
  return x.map((row) => {
    const y = new Array<number>(out).fill(0);
    for (let o = 0; o < out; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < inn; i++) s += row[i]! * W[o * inn + i]!;
      y[o] = s;
    }
    return y;
  });
}

/** y[t][e] = sum_p x[t][p] * P[p][e]: HF's F.linear(hidden, proj.t()) with proj [d_proj, d_emb]. */
function projDown(x: number[], P: Float32Array, dEmb: number): number[] {
  const dProj = P.length / dEmb;
  const y = new Array<number>(dEmb).fill(0);
  for (let e = 0; e < dEmb; e++) for (let p = 0; p < dProj; p++) y[e] += x[p]! * P[p * dEmb + e]!;
  return y;
}

function layerNorm(x: Mat, g: Float32Array, b: Float32Array, eps = 1e-5): Mat {
  return x.map((row) => {
    const n = row.length;
    const mean = row.reduce((s, v) => s + v, 0) / n;
    const varr = row.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const inv = 1 / Math.sqrt(varr + eps);
    return row.map((v, c) => (v - mean) * inv * g[c]! + b[c]!);
  });
}

function logSoftmax(x: number[]): number[] {
  const m = Math.max(...x);
  const lse = m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
  return x.map((v) => v - lse);
}

function clusterEnds(cfg: ArchConfig): number[] {
  return [0, ...cfg.cutoffs, cfg.vocab_size];
}

/** Adaptive input: each token looked up in its cluster's table, projected to d_model, scaled by sqrt(d_model). */
function adaptiveEmbedding(cfg: ArchConfig, ws: Weights, ids: number[]): Mat {
  const d = cfg.d_model;
  const scale = Math.sqrt(d);
  const ends = clusterEnds(cfg);
  return ids.map((id) => {
    let e: number[];
    if (cfg.div_val <= 1) {
      const de = cfg.div_val === 0 ? d : cfg.d_embed;
      const T = w(ws, 'transformer.word_emb.emb_layers.0.weight');
      e = Array.from(T.subarray(id * de, (id + 1) * de));
      if (de !== d) e = linear([e], w(ws, 'transformer.word_emb.emb_projs.0'), d)[0]!;
    } else {
      const k = ends.findIndex((_, j) => j > 0 && id < ends[j]!) - 1;
      const wk = Math.floor(cfg.d_embed / cfg.div_val ** k);
      const T = w(ws, `transformer.word_emb.emb_layers.${k}.weight`);
      const row = id - ends[k]!;
      e = linear([Array.from(T.subarray(row * wk, (row + 1) * wk))], w(ws, `transformer.word_emb.emb_projs.${k}`), d)[0]!;
    }
    return e.map((v) => v * scale);
  });
}

/** pos_emb[t] = [sin(p * inv_freq) | cos(p * inv_freq)] for p = klen-1 .. 0. */
function positionalEmbedding(klen: number, d: number): Mat {
  const invFreq = Array.from({ length: d / 2 }, (_, j) => 1 / 10000 ** ((2 * j) / d));
  return Array.from({ length: klen }, (_, t) => {
    const p = klen - 1 - t;
    return [...invFreq.map((f) => Math.sin(p * f)), ...invFreq.map((f) => Math.cos(p * f))];
  });
}

/** Relative multi-head attention for one sequence; x [S][d], mem [M][d]. Returns LN(x + o_net(attn)). */
function relAttention(cfg: ArchConfig, ws: Weights, i: number, x: Mat, mem: Mat, posEmb: Mat): Mat {
  const d = cfg.d_model;
  const H = cfg.n_head[i]!;
  const hd = Math.floor(d / H);
  const a = H * hd;
  const p = `transformer.layers.${i}.dec_attn`;
  const cat = [...mem, ...x]; // [K][d]
  const S = x.length;
  const M = mem.length;
  const K = cat.length;
  const qkv = linear(cat, w(ws, `${p}.qkv_net.weight`), 3 * a); // [K][3a]
  const q = qkv.slice(K - S).map((r) => r.slice(0, a)); // [S][a]
  const k = qkv.map((r) => r.slice(a, 2 * a)); // [K][a]
  const v = qkv.map((r) => r.slice(2 * a, 3 * a)); // [K][a]
  const r = linear(posEmb, w(ws, `${p}.r_net.weight`), a); // [K][a]
  const u = w(ws, `${p}.r_w_bias`); // [H][hd]
  const vb = w(ws, `${p}.r_r_bias`); // [H][hd]
  const scale = 1 / Math.sqrt(hd);
  const out: Mat = Array.from({ length: S }, () => new Array<number>(a).fill(0));
  for (let h = 0; h < H; h++) {
    // BD before the shift: raw[s][t] = (q_s + v) . r_t
    const raw = Array.from({ length: S }, (_, s) =>
      Array.from({ length: K }, (_, t) => {
        let acc = 0;
        for (let c = 0; c < hd; c++) acc += (q[s]![h * hd + c]! + vb[h * hd + c]!) * r[t]![h * hd + c]!;
        return acc;
      }),
    );
    // rel_shift exactly as specified: pad left with a zero column, view as [K+1][S], drop row 0, view as [S][K].
    const padded = raw.flatMap((row) => [0, ...row]); // S*(K+1)
    const flat = padded.slice(S); // drop the first row of the [K+1][S] view
    const bd = Array.from({ length: S }, (_, s) => flat.slice(s * K, (s + 1) * K));
    for (let s = 0; s < S; s++) {
      const score = new Array<number>(K).fill(-Infinity);
      for (let t = 0; t < K; t++) {
        if (t > s + M) continue; // causal mask over memory + segment
        let ac = 0;
        for (let c = 0; c < hd; c++) ac += (q[s]![h * hd + c]! + u[h * hd + c]!) * k[t]![h * hd + c]!;
        score[t] = (ac + bd[s]![t]!) * scale;
      }
      const m = Math.max(...score);
      const e = score.map((z) => (z === -Infinity ? 0 : Math.exp(z - m)));
      const z = e.reduce((acc, y) => acc + y, 0);
      for (let t = 0; t < K; t++) {
        const pr = e[t]! / z;
        if (pr === 0) continue;
        for (let c = 0; c < hd; c++) out[s]![h * hd + c] += pr * v[t]![h * hd + c]!;
      }
    }
  }
  const o = linear(out, w(ws, `${p}.o_net.weight`), d);
  const res = x.map((row, s) => row.map((val, c) => val + o[s]![c]!));
  return layerNorm(res, w(ws, `${p}.layer_norm.weight`), w(ws, `${p}.layer_norm.bias`));
}

/** Position-wise FFN: LN(x + W2 relu(W1 x + b1) + b2). */
function positionwiseFF(cfg: ArchConfig, ws: Weights, i: number, x: Mat): Mat {
  const d = cfg.d_model;
  const f = cfg.d_inner[i]!;
  const p = `transformer.layers.${i}.pos_ff`;
  const h = linear(x, w(ws, `${p}.CoreNet.0.weight`), f, w(ws, `${p}.CoreNet.0.bias`)).map((row) => row.map((v) => Math.max(0, v)));
  const y = linear(h, w(ws, `${p}.CoreNet.3.weight`), d, w(ws, `${p}.CoreNet.3.bias`));
  const res = x.map((row, s) => row.map((val, c) => val + y[s]![c]!));
  return layerNorm(res, w(ws, `${p}.layer_norm.weight`), w(ws, `${p}.layer_norm.bias`));
}

/** HF ProjectedAdaptiveLogSoftmax with labels=None: log-probs over the whole vocabulary. */
function adaptiveLogSoftmax(cfg: ArchConfig, ws: Weights, hidden: number[]): number[] {
  const d = cfg.d_model;
  const V = cfg.vocab_size;
  if (cfg.div_val === 0) {
    return logSoftmax(linear([hidden], w(ws, 'transformer.word_emb.emb_layers.0.weight'), V)[0]!);
  }
  const ends = clusterEnds(cfg);
  const nc = cfg.cutoffs.length;
  const de = cfg.d_embed;
  const emb = (k: number) => `transformer.word_emb.emb_layers.${k}.weight`;
  // cluster k's output weight/bias/projection (tied as HF's wt103 config ties them)
  const part = (k: number): { W: Float32Array; b: Float32Array; P?: Float32Array; width: number } => {
    const l = ends[k]!;
    const r = ends[k + 1]!;
    if (cfg.div_val === 1) {
      const W = w(ws, emb(0)).subarray(l * de, r * de);
      const b = w(ws, 'crit.out_layers.0.bias').subarray(l, r);
      const P = de === d ? undefined : w(ws, k === 0 ? 'crit.out_projs.0' : 'transformer.word_emb.emb_projs.0');
      return { W, b, P, width: de };
    }
    const width = Math.floor(de / cfg.div_val ** k);
    const P = w(ws, k === 0 ? 'crit.out_projs.0' : `transformer.word_emb.emb_projs.${k}`);
    return { W: w(ws, emb(k)), b: w(ws, `crit.out_layers.${k}.bias`), P, width };
  };
  const logits = (x: number[], W: Float32Array, b: Float32Array, width: number, P?: Float32Array): number[] => {
    const ph = P ? projDown(x, P, width) : x;
    return linear([ph], W, b.length, b)[0]!;
  };
  const head = part(0);
  let W0 = head.W;
  let b0 = head.b;
  if (nc > 0) {
    W0 = new Float32Array([...head.W, ...w(ws, 'crit.cluster_weight')]);
    b0 = new Float32Array([...head.b, ...w(ws, 'crit.cluster_bias')]);
  }
  const headLp = logSoftmax(logits(hidden, W0, b0, head.width, head.P));
  const out = new Array<number>(V).fill(0);
  for (let t = 0; t < ends[1]!; t++) out[t] = headLp[t]!;
  for (let k = 1; k <= nc; k++) {
    const c = part(k);
    const tail = logSoftmax(logits(hidden, c.W, c.b, c.width, c.P));
    const clusterLp = headLp[cfg.cutoffs[0]! + k - 1]!;
    for (let t = 0; t < tail.length; t++) out[ends[k]! + t] = clusterLp + tail[t]!;
  }
  return out;
}

export interface TxlRefResult {
  /** [batch][vocab] last-position log-probabilities. */
  logits: number[][];
  /** Per layer [batch][memOut][d_model]. */
  newMems: number[][][][];
}

/**
 * ids [batch][seq]; mems per layer [batch][M][d_model] (M may be 0). New memories keep the last
 * `memOut` positions of cat(mems, layer input), as HF's _update_mems does with mem_len = memOut.
 */
export function referenceTxl(cfg: ArchConfig, ws: Weights, ids: number[][], mems: number[][][][], memOut: number): TxlRefResult {
  const L = cfg.n_layer;
  const logits: number[][] = [];
  const newMems: number[][][][] = Array.from({ length: L }, () => []);
  ids.forEach((seq, b) => {
    let h = adaptiveEmbedding(cfg, ws, seq);
    const M = mems[0]?.[b]?.length ?? 0;
    const posEmb = positionalEmbedding(M + seq.length, cfg.d_model);
    for (let i = 0; i < L; i++) {
      const mem = mems[i]?.[b] ?? [];
      const cat = [...mem, ...h];
      newMems[i]!.push(cat.slice(Math.max(0, cat.length - memOut)));
      h = relAttention(cfg, ws, i, h, mem, posEmb);
      h = positionwiseFF(cfg, ws, i, h);
    }
    logits.push(adaptiveLogSoftmax(cfg, ws, h[h.length - 1]!));
  });
  return { logits, newMems };
}
