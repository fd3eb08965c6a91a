/**
 * Which initializers of an ONNX graph are trainable parameters.
 *
 * A parameter is a float initializer from which a gradient path leads to a graph output, through
 * differentiable operator inputs only.
 * Excluded: BatchNormalization running mean and variance (inputs 3 and 4) and initializers used only
 * as shapes, axes, indices, pads or other non-differentiable inputs. `Identity(initializer)` (how
 * PyTorch's exporter merges equal tensors) is followed: its output is an alias of the initializer.
 */
import { FLOAT_TYPES, type OnnxGraph, type OnnxTensor, tensorSize } from '../formats/onnx/read';
import { tensorValues } from '../formats/onnx/tensor-data';

/** Operator inputs (by index) through which no gradient flows. `'all'`: every input. */
const NON_DIFFERENTIABLE: Record<string, number[] | 'all'> = {
  BatchNormalization: [3, 4],
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  Gather: [1],
  GatherElements: [1],
  GatherND: [1],
  ScatterND: [1],
  ScatterElements: [1],
  Unsqueeze: [1],
  Squeeze: [1],
  Pad: [1, 2, 3],
  Resize: [1, 2, 3],
  Upsample: [1],
  ReduceSum: [1],
  ReduceMean: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  ReduceProd: [1],
  ReduceL1: [1],
  ReduceL2: [1],
  ReduceLogSumExp: [1],
  ReduceSumSquare: [1],
  Split: [1],
  Where: [0],
  Dropout: [1, 2],
  TopK: [1],
  Clip: [1, 2],
  CumSum: [1],
  Trilu: [1],
  ConstantOfShape: 'all',
  Shape: 'all',
  Size: 'all',
  NonZero: 'all',
  OneHot: 'all',
  Range: 'all',
  ArgMax: 'all',
  ArgMin: 'all',
  Equal: 'all',
  Greater: 'all',
  GreaterOrEqual: 'all',
  Less: 'all',
  LessOrEqual: 'all',
  Not: 'all',
  And: 'all',
  Or: 'all',
  Xor: 'all',
  IsNaN: 'all',
  IsInf: 'all',
  Sign: 'all',
  Floor: 'all',
  Ceil: 'all',
  Round: 'all',
  EyeLike: 'all',
  RandomNormalLike: 'all',
  RandomUniformLike: 'all',
};

export function isDifferentiableInput(opType: string, index: number): boolean {
  const rule = NON_DIFFERENTIABLE[opType];
  if (rule === undefined) return true;
  return rule !== 'all' && !rule.includes(index);
}

export interface ParamInfo {
  name: string;
  shape: number[];
  size: number;
}

export interface AliasInfo {
  /** The graph value that stands for the parameter (an Identity output). */
  name: string;
  /** The initializer it repeats. */
  of: string;
  /** It holds the transpose of `of` (a tied weight the exporter folded: an LM head tied to its embedding). */
  transposed?: boolean;
}

export interface ParamReport {
  params: ParamInfo[];
  aliases: AliasInfo[];
  /** Float initializers that are not parameters (running statistics, shapes, constants). */
  buffers: string[];
}

/**
 * Tied weights the exporter untied: with constant folding, PyTorch's exporter writes a Linear's
 * weight transposed as a new initializer (`onnx::MatMul_…`), so an LM head tied to its embedding
 * becomes a second tensor equal to the embedding's transpose. Such a pair is one parameter: the
 * initializer that holds the transpose is reported as an alias of the other (the named one).
 * Tensors whose values are all equal (fresh zeros or ones) are never taken for ties.
 */
function transposedTies(params: ParamInfo[], graph: OnnxGraph, file: string): AliasInfo[] {
  const matrices = params.filter((p) => p.shape.length === 2 && p.size > 1);
  const values = new Map<string, ArrayLike<number> | null>();
  const valuesOf = (name: string) => {
    if (!values.has(name)) {
      try {
        values.set(name, tensorValues(graph.initializers.get(name) as OnnxTensor, file));
      } catch {
        values.set(name, null);
      }
    }
    return values.get(name) ?? null;
  };
  const generated = (name: string) => name.startsWith('onnx::');
  const ties: AliasInfo[] = [];
  const taken = new Set<string>();
  for (const t of matrices) {
    if (taken.has(t.name)) continue;
    const [r, c] = t.shape;
    for (const p of matrices) {
      if (p === t || taken.has(p.name) || p.shape[0] !== c || p.shape[1] !== r) continue;
      // The exporter's own tensor is the alias; of two named ones, the later one.
      if (generated(p.name) && !generated(t.name)) continue;
      const a = valuesOf(t.name);
      const b = valuesOf(p.name);
      if (!a || !b) continue;
      let equal = true;
      let varied = false;
      for (let i = 0; i < r && equal; i++)
        for (let j = 0; j < c; j++) {
          if (a[i * c + j] !== b[j * r + i]) {
            equal = false;
            break;
          }
          if (a[i * c + j] !== a[0]) varied = true;
        }
      if (equal && varied) {
        ties.push({ name: t.name, of: p.name, transposed: true });
        taken.add(t.name);
        taken.add(p.name);
        break;
      }
    }
  }
  return ties;
}

export function findParameters(graph: OnnxGraph, file = ''): ParamReport {
  // A value is live when a gradient can flow from a graph output back to it: walk the nodes in
  // reverse topological order (ONNX stores them sorted) through differentiable inputs only.
  const live = new Set(graph.outputs.map((o) => o.name));
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k];
    if (!node.outputs.some((o) => live.has(o))) continue;
    node.inputs.forEach((input, index) => {
      if (input && isDifferentiableInput(node.opType, index)) live.add(input);
    });
  }
  const aliases: AliasInfo[] = [];
  const identityOf = new Map<string, string[]>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Identity' || !node.inputs[0]) continue;
    identityOf.set(node.inputs[0], [...(identityOf.get(node.inputs[0]) ?? []), node.outputs[0]]);
  }
  const collectAliases = (value: string, root: string) => {
    for (const out of identityOf.get(value) ?? []) {
      aliases.push({ name: out, of: root });
      collectAliases(out, root);
    }
  };

  const params: ParamInfo[] = [];
  const buffers: string[] = [];
  for (const t of graph.initializers.values()) {
    if (!FLOAT_TYPES.has(t.dataType)) continue;
    if (live.has(t.name)) {
      params.push({ name: t.name, shape: t.dims, size: tensorSize(t.dims) });
      collectAliases(t.name, t.name);
    } else {
      buffers.push(t.name);
    }
  }
  const ties = transposedTies(params, graph, file);
  const tied = new Set(ties.map((t) => t.name));
  return { params: params.filter((p) => !tied.has(p.name)), aliases: [...aliases, ...ties], buffers };
}
