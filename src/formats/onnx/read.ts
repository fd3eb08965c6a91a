/**
 * ONNX reader: decodes a ModelProto (onnx.proto, proto2) with protobufjs into plain objects.
 * Tensor payloads stay as byte views until asked for, so opening a model only for its summary
 * never converts weights. Spec: https://github.com/onnx/onnx/blob/main/docs/IR.md
 */
import protobuf from 'protobufjs';
import { FileFormatError } from '../errors';
import { sniffNonModel } from '../sniff';
import onnxProtoText from './onnx.proto?raw';

const READER = 'ONNX';

/** ONNX TensorProto.DataType values that Saddle reads. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

export const dataTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

export const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: number;
  shape: Dim[] | null;
}

export interface OnnxTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** The decoded proto; read its values with `tensorValues`. */
  proto: TensorProtoLike;
}

export type AttributeValue = number | string | number[] | string[] | OnnxTensor | OnnxGraph;

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface OnnxModel {
  file: string;
  /** The file's bytes, kept so worker threads can decode their own copy. */
  bytes: Uint8Array;
  irVersion: number;
  producer: string;
  opsets: Map<string, number>;
  graph: OnnxGraph;
}

export interface TensorProtoLike {
  name?: string;
  dataType?: number;
  dims?: Array<number | Long>;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Array<number | Long>;
  doubleData?: number[];
  uint64Data?: Array<number | Long>;
  dataLocation?: number;
  externalData?: Array<{ key: string; value: string }>;
}

interface Long {
  toNumber(): number;
}

let root: protobuf.Root | null = null;
function protoType(name: string): protobuf.Type {
  if (!root) root = protobuf.parse(onnxProtoText, { keepCase: false }).root;
  return root.lookupType(name);
}
const getModelType = () => protoType('onnx.ModelProto');

/** Decode a serialized TensorProto (as in ONNX's test data `input_0.pb`). */
export function readTensorProto(bytes: Uint8Array, file: string): OnnxTensor {
  try {
    return convertTensor(protoType('onnx.TensorProto').decode(bytes), file);
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(file, READER, 'corrupt', `not a valid TensorProto (${(e as Error).message})`);
  }
}

const toNum = (v: number | Long): number => (typeof v === 'number' ? v : v.toNumber());

/** Decode an ONNX file's bytes. `file` is only used in error messages. */
export function readOnnx(bytes: Uint8Array, file: string): OnnxModel {
  const other = sniffNonModel(bytes);
  if (other) throw new FileFormatError(file, READER, 'not-a-model', `the file is ${other}, not an ONNX model`);
  // biome-ignore lint/suspicious/noExplicitAny: protobufjs returns untyped messages; we narrow below.
  let msg: any;
  try {
    msg = getModelType().decode(bytes);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const missing = /index out of range/.test(detail) ? bytesMissing(bytes) : 0;
    if (missing > 0) {
      throw new FileFormatError(
        file,
        READER,
        'truncated',
        `expected ${missing} more bytes after byte ${bytes.length}; the file might be truncated`,
      );
    }
    throw new FileFormatError(file, READER, 'corrupt', `the file is not a valid ONNX protobuf (${detail})`);
  }
  if (!msg.graph || !msg.irVersion) {
    throw new FileFormatError(
      file,
      READER,
      'not-a-model',
      `no graph or ir_version found in ${bytes.length} bytes; this is not an ONNX model`,
    );
  }
  try {
    const opsets = new Map<string, number>();
    for (const o of msg.opsetImport ?? []) opsets.set(o.domain ?? '', toNum(o.version ?? 0));
    return {
      file,
      bytes,
      irVersion: toNum(msg.irVersion),
      producer: [msg.producerName, msg.producerVersion].filter(Boolean).join(' '),
      opsets,
      graph: convertGraph(msg.graph, file),
    };
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(file, READER, 'corrupt', `the model's structure is malformed (${(e as Error).message})`);
  }
}

/**
 * Walk the top-level protobuf fields; when a length-delimited field (the graph) runs past the end,
 * return by how many bytes. 0 when the framing is intact (then the damage is elsewhere).
 */
function bytesMissing(bytes: Uint8Array): number {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.length) return -1;
      const b = bytes[pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag < 0) return 0;
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      if (len < 0) return 0;
      pos += len;
    } else return 0;
  }
  return pos - bytes.length;
}

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
function convertGraph(g: any, file: string): OnnxGraph {
  if (!g) throw new FileFormatError(file, READER, 'corrupt', 'a graph attribute is empty');
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) {
    const tensor = convertTensor(t, file);
    initializers.set(tensor.name, tensor);
  }
  return {
    name: g.name ?? '',
    // biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
    nodes: (g.node ?? []).map((n: any, i: number) => convertNode(n, i, file)),
    initializers,
    inputs: (g.input ?? []).map(convertValueInfo),
    outputs: (g.output ?? []).map(convertValueInfo),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
function convertValueInfo(v: any): ValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim;
  return {
    name: v.name ?? '',
    elemType: tt?.elemType ?? 0,
    // biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
    shape: dims ? dims.map((d: any) => (d.dimParam ? d.dimParam : d.dimValue != null ? toNum(d.dimValue) : '?')) : null,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
function convertTensor(t: any, file: string): OnnxTensor {
  const dims = (t.dims ?? []).map(toNum);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new FileFormatError(file, READER, 'corrupt', `tensor '${t.name}' has an invalid dimension ${d}`);
    }
  }
  return { name: t.name ?? '', dataType: t.dataType ?? 0, dims, proto: t };
}

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
function convertNode(n: any, index: number, file: string): OnnxNode {
  const attributes = new Map<string, AttributeValue>();
  for (const a of n.attribute ?? []) attributes.set(a.name, convertAttribute(a, file));
  return {
    name: n.name || `${n.opType}_${index}`,
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attributes,
  };
}

// AttributeProto.AttributeType: FLOAT=1 INT=2 STRING=3 TENSOR=4 GRAPH=5 FLOATS=6 INTS=7 STRINGS=8
// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf message
function convertAttribute(a: any, file: string): AttributeValue {
  const utf8 = (b: unknown) => (b instanceof Uint8Array ? new TextDecoder().decode(b) : String(b ?? ''));
  switch (a.type) {
    case 1:
      return a.f ?? 0;
    case 2:
      return toNum(a.i ?? 0);
    case 3:
      return utf8(a.s ?? new Uint8Array());
    case 4:
      return convertTensor(a.t, file);
    case 5:
      return convertGraph(a.g, file);
    case 6:
      return [...(a.floats ?? [])];
    case 7:
      return (a.ints ?? []).map(toNum);
    case 8:
      return (a.strings ?? []).map(utf8);
    default:
      // Old exporters leave `type` unset; infer it from the field that is present.
      if (a.ints?.length) return a.ints.map(toNum);
      if (a.floats?.length) return [...a.floats];
      if (a.t) return convertTensor(a.t, file);
      if (a.s?.length) return utf8(a.s);
      if (a.i != null) return toNum(a.i);
      return a.f ?? 0;
  }
}

export function tensorSize(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
