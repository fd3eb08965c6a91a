/**
 * ONNX graph → engine graph, for given input shapes. Trainable parameters become `param` leaves,
 * BatchNorm running statistics `buffer` leaves (both fed at run time, so θ changes without
 * rebuilding), and every other initializer a constant. Unsupported operators fail here, when the
 * model is opened, never during a run.
 */
import { Graph, type V } from '../engine/graph';
import { UnsupportedError } from '../formats/errors';
import { FLOAT_TYPES, type OnnxModel, type OnnxTensor } from '../formats/onnx/read';
import { tensorValues } from '../formats/onnx/tensor-data';
import { findParameters } from '../model/params';
import { type ImportOptions, OpContext, type OpImporter } from './context';
import { einsum } from './einsum';
import { elementTypes } from './elem-types';
import { elementwiseOps } from './ops-elementwise';
import { nnOps } from './ops-nn';
import { shapeOps } from './ops-shape';

export const OPS: Record<string, OpImporter> = { ...elementwiseOps, ...shapeOps, ...nnOps, Einsum: (c) => [einsum(c)] };

export const MIN_OPSET = 6;
export const MAX_OPSET = 21;

export interface Leaf {
  name: string;
  shape: number[];
  v: V;
}

export interface ImportedGraph {
  graph: Graph;
  inputs: Leaf[];
  outputs: Leaf[];
  /** In parameter order: the index of a param leaf is its position here. */
  params: Leaf[];
  buffers: Leaf[];
  /** Graph inputs whose values index an embedding table (token ids), with the table's size. */
  indexInputs: IndexInput[];
}

export interface IndexInput {
  /** The graph input. */
  input: string;
  /** Valid values are 0 ≤ id < limit. */
  limit: number;
  /** The Gather node, for messages. */
  node: string;
}

/** Operators that pass their first input's values through unchanged (only moved or retyped). */
const VALUE_PRESERVING = new Set([
  'Cast',
  'Reshape',
  'Unsqueeze',
  'Squeeze',
  'Flatten',
  'Identity',
  'Expand',
  'Transpose',
  'Slice',
]);

/**
 * The graph inputs read as Gather indices (through casts and reshapes): token ids, whose values must
 * lie within the embedding table. Known when the model is opened, so bad ids are refused before any work.
 */
function indexInputsOf(model: OnnxModel, g: Graph, values: Map<string, V>, inputNames: Set<string>): IndexInput[] {
  const origin = new Map<string, string>([...inputNames].map((n) => [n, n]));
  const out: IndexInput[] = [];
  for (const n of model.graph.nodes) {
    const from = origin.get(n.inputs[0] ?? '');
    if (from && VALUE_PRESERVING.has(n.opType)) origin.set(n.outputs[0], from);
    const ids = origin.get(n.inputs[1] ?? '');
    if (n.opType === 'Gather' && ids) {
      const data = values.get(n.inputs[0]);
      if (data === undefined) continue;
      const shape = g.shape(data);
      const axis = Number(n.attributes.get('axis') ?? 0);
      const limit = shape[axis < 0 ? axis + shape.length : axis];
      const seen = out.find((x) => x.input === ids);
      if (!seen) out.push({ input: ids, limit, node: n.name });
      else if (limit < seen.limit) Object.assign(seen, { limit, node: n.name });
    }
  }
  return out;
}

export function opsetOf(model: OnnxModel): number {
  return model.opsets.get('') ?? model.opsets.get('ai.onnx') ?? 0;
}

/** The names of BatchNorm statistics initializers (inputs 3 and 4, through Identity aliases). */
function bnStatistics(model: OnnxModel): Set<string> {
  const aliasOf = new Map<string, string>();
  for (const n of model.graph.nodes) if (n.opType === 'Identity') aliasOf.set(n.outputs[0], n.inputs[0]);
  const resolve = (name: string): string => (aliasOf.has(name) ? resolve(aliasOf.get(name)!) : name);
  const stats = new Set<string>();
  for (const n of model.graph.nodes) {
    if (n.opType !== 'BatchNormalization') continue;
    for (const i of [3, 4]) if (n.inputs[i]) stats.add(resolve(n.inputs[i]));
  }
  return stats;
}

/** List every operator the importer cannot handle, so the error names them all at once. */
export function unsupportedOps(model: OnnxModel): string[] {
  const opset = opsetOf(model);
  return model.graph.nodes
    .filter((n) => (n.domain !== '' && n.domain !== 'ai.onnx') || !OPS[n.opType])
    .map(
      (n) =>
        `${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${n.opType} (node '${n.name}', opset ${opset})`,
    );
}

export function importOnnx(
  model: OnnxModel,
  inputShapes: Record<string, number[]>,
  options: ImportOptions = { bn: 'eval' },
): ImportedGraph {
  const opset = opsetOf(model);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new UnsupportedError(
      `The model uses ONNX opset ${opset}; Saddle supports opsets ${MIN_OPSET} to ${MAX_OPSET}.`,
    );
  }
  const missing = unsupportedOps(model);
  if (missing.length) {
    const list = [...new Set(missing)].slice(0, 8).join(', ');
    throw new UnsupportedError(
      `Unsupported operator${missing.length > 1 ? 's' : ''}: ${list}${missing.length > 8 ? ', ...' : ''}.`,
    );
  }
  const g = new Graph();
  const values = new Map<string, V>();
  const file = model.file;
  const { params: paramInfo, aliases } = findParameters(model.graph, file);
  const transposedOf = new Map(aliases.filter((a) => a.transposed).map((a) => [a.name, a.of]));
  const paramIndex = new Map(paramInfo.map((p, i) => [p.name, i]));
  const stats = bnStatistics(model);
  const types = elementTypes(model.graph);
  const params: Leaf[] = [];
  const buffers: Leaf[] = [];
  const tensorOf = (t: OnnxTensor): V => g.constant(tensorValues(t, file), t.dims);

  for (const t of model.graph.initializers.values()) {
    const index = paramIndex.get(t.name);
    if (transposedOf.has(t.name)) continue;
    if (index !== undefined) {
      const v = g.param(index, t.name, t.dims);
      params[index] = { name: t.name, shape: t.dims, v };
      values.set(t.name, v);
    } else if (stats.has(t.name) && FLOAT_TYPES.has(t.dataType)) {
      const v = g.buffer(t.name, t.dims);
      buffers.push({ name: t.name, shape: t.dims, v });
      values.set(t.name, v);
    } else {
      values.set(t.name, tensorOf(t));
    }
  }

  // A tied weight the exporter wrote transposed is the transpose of its parameter, not a second one.
  for (const [name, of] of transposedOf) values.set(name, g.transpose(values.get(of) as V, [1, 0]));

  const inputs: Leaf[] = [];
  for (const vi of model.graph.inputs) {
    if (model.graph.initializers.has(vi.name)) continue;
    const shape = inputShapes[vi.name];
    if (!shape) throw new Error(`No shape was given for the model input '${vi.name}'.`);
    const v = g.input(vi.name, shape);
    inputs.push({ name: vi.name, shape, v });
    values.set(vi.name, v);
  }

  for (const node of model.graph.nodes) {
    const ctx = new OpContext(g, node, opset, values, options, tensorOf, types);
    let outs: V[];
    try {
      outs = OPS[node.opType](ctx);
    } catch (e) {
      if (e instanceof UnsupportedError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(msg.startsWith(`${node.opType} node`) ? msg : `${node.opType} node '${node.name}': ${msg}.`);
    }
    node.outputs.forEach((name, i) => {
      if (name && outs[i] !== undefined) values.set(name, outs[i]);
    });
  }

  const outputs = model.graph.outputs.map((o) => {
    const v = values.get(o.name);
    if (v === undefined) throw new Error(`The graph output '${o.name}' is not produced by any node.`);
    return { name: o.name, shape: [...g.shape(v)], v };
  });
  const indexInputs = indexInputsOf(model, g, values, new Set(inputs.map((i) => i.name)));
  return { graph: g, inputs, outputs, params, buffers, indexInputs };
}

/** Names and shapes of the trainable parameters and BatchNorm buffers, for binding checkpoints. */
export function weightTargets(model: OnnxModel): {
  params: Array<{ name: string; shape: number[] }>;
  buffers: Array<{ name: string; shape: number[] }>;
} {
  const { params } = findParameters(model.graph, model.file);
  const buffers = [...bnStatistics(model)]
    .map((name) => model.graph.initializers.get(name))
    .filter((t): t is OnnxTensor => t !== undefined)
    .map((t) => ({ name: t.name, shape: t.dims }));
  return { params: params.map((p) => ({ name: p.name, shape: p.shape })), buffers };
}

/** The model's own parameter and buffer values (float32). */
export function initialValues(model: OnnxModel): { params: Float32Array[]; buffers: Map<string, Float32Array> } {
  const { params } = findParameters(model.graph, model.file);
  const stats = bnStatistics(model);
  const toF32 = (t: OnnxTensor) => Float32Array.from(tensorValues(t, model.file));
  const buffers = new Map<string, Float32Array>();
  for (const name of stats) {
    const t = model.graph.initializers.get(name);
    if (t) buffers.set(name, toF32(t));
  }
  return { params: params.map((p) => toF32(model.graph.initializers.get(p.name)!)), buffers };
}
