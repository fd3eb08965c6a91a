/** Builds small ONNX models in memory for tests (encoded with the same onnx.proto as the reader). */
import protobuf from 'protobufjs';
import onnxProtoText from '../src/formats/onnx/onnx.proto?raw';

const root = protobuf.parse(onnxProtoText).root;
const ModelProto = root.lookupType('onnx.ModelProto');

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, number | number[] | string>;
}

export interface GraphSpec {
  nodes: NodeSpec[];
  initializers?: Record<string, { dims: number[]; data: number[]; type?: 'float' | 'int64' }>;
  inputs: Array<{ name: string; shape: Array<number | string>; type?: 'float' | 'int64' }>;
  outputs: Array<{ name: string; shape?: Array<number | string> }>;
  opset?: number;
}

function attribute(name: string, v: number | number[] | string) {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
}

const valueInfo = (name: string, shape: Array<number | string> = [], type: 'float' | 'int64' = 'float') => ({
  name,
  type: {
    tensorType: {
      elemType: type === 'int64' ? 7 : 1,
      shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

export function buildOnnx(spec: GraphSpec): Uint8Array {
  const initializer = Object.entries(spec.initializers ?? {}).map(([name, t]) =>
    t.type === 'int64'
      ? { name, dims: t.dims, dataType: 7, int64Data: t.data }
      : { name, dims: t.dims, dataType: 1, floatData: t.data },
  );
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'saddle-tests',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: 'test',
      node: spec.nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer,
      input: spec.inputs.map((v) => valueInfo(v.name, v.shape, v.type)),
      output: spec.outputs.map((v) => valueInfo(v.name, v.shape)),
    },
  });
  return ModelProto.encode(message).finish();
}
