import type { ShapeSettings } from '../space/types.js';

/** `ort`: com.microsoft fused ops, what an ONNX Runtime deployment runs. `standard`: ai.onnx opset 17 only. */
export type GraphForm = 'ort' | 'standard';
/** `prefill`: seq tokens in, last-position logits out. `decode`: one token in with a cache of `context` past positions. */
export type GraphMode = 'prefill' | 'decode';

export interface ExportOptions {
  form: GraphForm;
  mode: GraphMode;
  shapes: ShapeSettings;
  /** Seed of the deterministic weights. */
  seed: number;
}

/** Knobs for tests and benchmarks, not part of a candidate's identity. */
export interface BuildExtras {
  /** Multiplies every initializer's standard deviation (tests use larger weights so mistakes show). */
  weightScale?: number;
  /** Lowers the size past which weights go to external data (tests of that path). */
  protoLimitBytes?: number;
  /** Prefill only: also output the state a decode step continues from (`present.*`, `present_conv.*`). */
  presentState?: boolean;
}

export interface TensorSpec {
  name: string;
  type: 'int64' | 'float32';
  dims: number[];
}

export interface ExportedModel {
  /** Serialized onnx ModelProto. */
  bytes: Uint8Array;
  /** Tensors kept outside the protobuf (models over 2 GB); pass as `externalData` to InferenceSession.create. */
  externalData: { path: string; data: Uint8Array }[];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}
