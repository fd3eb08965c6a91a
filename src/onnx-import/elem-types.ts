/**
 * The ONNX element type of every value in a graph. The engine computes in floating point, but ONNX
 * gives some operators different meanings on integers (Div truncates toward zero, Cast to an
 * integer type truncates), so the importer needs to know which values are integers. Types come from
 * initializers and graph inputs and are propagated node by node with each operator's type rule.
 */
import { type AttributeValue, DataType, type OnnxGraph, type OnnxNode, type OnnxTensor } from '../formats/onnx/read';

const INTEGER_TYPES = new Set<number>([
  DataType.UINT8,
  DataType.INT8,
  DataType.UINT16,
  DataType.INT16,
  DataType.INT32,
  DataType.INT64,
  DataType.UINT32,
  DataType.UINT64,
]);

/** Whether an ONNX element type is an integer type (bool is not: it has its own operators). */
export const isIntegerType = (t: number | undefined): boolean => t !== undefined && INTEGER_TYPES.has(t);

const BOOL_OUT = new Set([
  'Equal',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
  'IsNaN',
  'IsInf',
]);
const INT64_OUT = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);

const tensorType = (v: AttributeValue | undefined): number | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) && 'dataType' in v ? (v as OnnxTensor).dataType : undefined;

/** The element types of one node's outputs, from its inputs' types (undefined where unknown). */
function outputTypes(node: OnnxNode, typeOf: (name: string) => number | undefined): Array<number | undefined> {
  const attr = (k: string) => node.attributes.get(k);
  const first = typeOf(node.inputs[0] ?? '');
  const all = (t: number | undefined) => node.outputs.map(() => t);
  if (BOOL_OUT.has(node.opType)) return all(DataType.BOOL);
  if (INT64_OUT.has(node.opType)) return all(DataType.INT64);
  switch (node.opType) {
    case 'Cast':
      return all(Number(attr('to') ?? DataType.FLOAT));
    case 'CastLike':
      return all(typeOf(node.inputs[1]));
    case 'Constant': {
      if (attr('value') !== undefined) return all(tensorType(attr('value')));
      if (attr('value_int') !== undefined || attr('value_ints') !== undefined) return all(DataType.INT64);
      return all(DataType.FLOAT);
    }
    case 'ConstantOfShape':
      return all(tensorType(attr('value')) ?? DataType.FLOAT);
    case 'EyeLike':
      return all(attr('dtype') !== undefined ? Number(attr('dtype')) : first);
    case 'Where':
      return all(typeOf(node.inputs[1]));
    case 'TopK':
      return [first, DataType.INT64];
    case 'Dropout':
      return [first, DataType.BOOL];
    case 'MaxPool':
      return [first, DataType.INT64];
    default:
      return all(first);
  }
}

/** Every value's element type, by name (values whose type cannot be known are absent). */
export function elementTypes(graph: OnnxGraph): Map<string, number> {
  const types = new Map<string, number>();
  for (const t of graph.initializers.values()) types.set(t.name, t.dataType);
  for (const vi of graph.inputs) if (vi.elemType && !types.has(vi.name)) types.set(vi.name, vi.elemType);
  const typeOf = (name: string) => types.get(name);
  for (const node of graph.nodes) {
    const outs = outputTypes(node, typeOf);
    node.outputs.forEach((name, i) => {
      const t = outs[i];
      if (name && t !== undefined) types.set(name, t);
    });
  }
  return types;
}
