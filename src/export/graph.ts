// The one small graph builder every family writer and both graph forms share (in the manner of
// onnx.helper): named tensors, unique node outputs, each initializer added once.
import onnxProto from 'onnx-proto';
import type { ExportedModel, TensorSpec } from './types.js';

const { onnx } = onnxProto;

export const OPSET = 17;
export const MS_DOMAIN = 'com.microsoft';
const IR_VERSION = 8;
// ORT refuses protobufs over 2 GB; keep headroom for the graph itself.
const PROTO_LIMIT_BYTES = 2 ** 31 - 64 * 2 ** 20;

type AttrValue = number | string | number[] | { float: number } | { floats: number[] };
export type Attrs = Record<string, AttrValue>;

const DTYPE = { float32: 1, int32: 6, int64: 7 } as const;
type DType = keyof typeof DTYPE;
type TensorData = Float32Array | Int32Array | BigInt64Array;

function dtypeOf(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'int64';
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  // Integers are the common case in ONNX attributes; floats must be asked for explicitly.
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}

function valueInfo(spec: TensorSpec): onnxProto.onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: { tensorType: { elemType: DTYPE[spec.type], shape: { dim: spec.dims.map((d) => ({ dimValue: d })) } } },
  };
}

interface Initializer {
  name: string;
  dims: number[];
  data: TensorData;
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly inits = new Map<string, Initializer>();
  private readonly inputs: TensorSpec[] = [];
  private readonly outputs: TensorSpec[] = [];
  private readonly used = new Set<string>();
  private counter = 0;
  private readonly constants = new Set<string>();
  private readonly freshPending = new Set<string>();
  private usesMs = false;

  constructor(readonly name: string) {}

  /** A fresh tensor name with a readable prefix. */
  fresh(prefix: string): string {
    let n = `${prefix}_${this.counter++}`;
    while (this.used.has(n)) n = `${prefix}_${this.counter++}`;
    this.used.add(n);
    // May be passed once as an explicit node output name (nodeN with names).
    this.freshPending.add(n);
    return n;
  }

  input(name: string, type: TensorSpec['type'], dims: number[]): string {
    this.claim(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Marks an existing tensor as a graph output (renaming it through Identity when the name differs). */
  output(tensor: string, name: string, type: TensorSpec['type'], dims: number[]): string {
    if (tensor !== name) {
      this.claim(name);
      this.nodes.push({ opType: 'Identity', input: [tensor], output: [name], name: `${name}_identity` });
    }
    this.outputs.push({ name, type, dims });
    return name;
  }

  /** Adds a weight once; a second call with the same name returns the existing tensor (tied weights). */
  weight(name: string, dims: number[], data: TensorData): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`initializer ${name}: dims ${dims} hold ${size} values, got ${data.length}`);
    const existing = this.inits.get(name);
    if (existing) {
      if (existing.dims.join(',') !== dims.join(',')) throw new Error(`initializer ${name} added twice with different shapes`);
      return name;
    }
    this.claim(name);
    this.inits.set(name, { name, dims, data });
    return name;
  }

  hasWeight(name: string): boolean {
    return this.inits.has(name);
  }

  constI64(values: number[], dims: number[] = [values.length], prefix = 'const'): string {
    return this.weight(this.unclaimed(prefix), dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  constF32(values: number[], dims: number[] = [values.length], prefix = 'const'): string {
    return this.weight(this.unclaimed(prefix), dims, Float32Array.from(values));
  }

  /** A graph constant (not a model parameter) from ready data, e.g. a causal mask. */
  constTensor(dims: number[], data: Float32Array | BigInt64Array, prefix = 'const'): string {
    return this.weight(this.unclaimed(prefix), dims, data);
  }

  /** Names of the constants added through constI64/constF32/constTensor (graph plumbing, not parameters). */
  constantNames(): ReadonlySet<string> {
    return this.constants;
  }

  /**
   * Adds a node and returns its output names. `outputs` is a count (fresh names) or explicit names;
   * an empty string in `inputs` marks an omitted optional input, as ONNX does.
   */
  nodeN(opType: string, inputs: string[], outputs: number | string[], attrs: Attrs = {}, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    // An empty name is an omitted optional output, as in ONNX.
    if (typeof outputs !== 'number') outs.forEach((o) => o !== '' && this.claim(o));
    if (domain === MS_DOMAIN) this.usesMs = true;
    this.nodes.push({
      opType,
      domain: domain || undefined,
      input: inputs,
      output: outs,
      name: `${opType}_${this.nodes.length}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A single-output node. */
  node(opType: string, inputs: string[], attrs: Attrs = {}, domain = ''): string {
    return this.nodeN(opType, inputs, 1, attrs, domain)[0]!;
  }

  /** A single-output com.microsoft node. */
  ms(opType: string, inputs: string[], attrs: Attrs = {}): string {
    return this.node(opType, inputs, attrs, MS_DOMAIN);
  }

  /**
   * Serializes the model; weights beyond the protobuf limit go to in-memory external data.
   * `protoLimitBytes` lowers the limit: 0 puts every weight outside the protobuf, which the profiler uses
   * because encoding and then parsing hundreds of MB of protobuf costs more than handing over the buffers.
   */
  build(protoLimitBytes = PROTO_LIMIT_BYTES): ExportedModel {
    const externalData: ExportedModel['externalData'] = [];
    const all = [...this.inits.values()];
    let inline = all.reduce((s, t) => s + t.data.byteLength, 0);
    // Move the largest tensors out first until the rest fits in one protobuf. Graph constants (shapes,
    // axes) stay inline: ORT's shape inference reads them before external data is attached.
    const external = new Set<string>();
    for (const t of [...all].sort((a, b) => b.data.byteLength - a.data.byteLength)) {
      if (inline <= protoLimitBytes) break;
      if (this.constants.has(t.name)) continue;
      external.add(t.name);
      inline -= t.data.byteLength;
    }
    const initializer = all.map((t): onnxProto.onnx.ITensorProto => {
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const base = { name: t.name, dims: t.dims, dataType: DTYPE[dtypeOf(t.data)] };
      if (!external.has(t.name)) return { ...base, rawData: bytes };
      const path = `${t.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.bin`;
      externalData.push({ path, data: bytes });
      return {
        ...base,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: path },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(bytes.byteLength) },
        ],
      };
    });
    const opsetImport = [{ domain: '', version: OPSET }];
    if (this.usesMs) opsetImport.push({ domain: MS_DOMAIN, version: 1 });
    const model: onnxProto.onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'lts',
      opsetImport,
      graph: {
        name: this.name,
        node: this.nodes,
        initializer,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    };
    const bytes = onnx.ModelProto.encode(model).finish();
    return { bytes, externalData, inputs: [...this.inputs], outputs: [...this.outputs] };
  }

  // A fresh name left unclaimed so that weight() can claim it (fresh() reserves its names).
  private unclaimed(prefix: string): string {
    let n = `${prefix}_${this.counter++}`;
    while (this.used.has(n)) n = `${prefix}_${this.counter++}`;
    this.constants.add(n);
    return n;
  }

  private claim(name: string): void {
    if (this.freshPending.delete(name)) return;
    if (this.used.has(name)) throw new Error(`tensor name ${name} used twice`);
    this.used.add(name);
  }
}
