/**
 * The engine's intermediate representation: a DAG of primitive operations with static shapes.
 * ONNX operators, losses and gradient rules are all built from these primitives, so the gradient
 * of a gradient (the Hessian-vector product) needs no extra rules.
 */
import type { Shape } from './shape';

export type Buf = Float32Array | Float64Array;

export const UNARY_OPS = ['neg', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'erf', 'abs', 'relu', 'sin', 'cos'] as const;
/** Elementwise ops whose derivative is zero almost everywhere. */
export const STEP_OPS = ['step', 'sign', 'floor', 'ceil', 'round', 'isnan', 'detach'] as const;
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'] as const;
export const COMPARE_OPS = ['gt', 'ge', 'lt', 'le', 'eq', 'and', 'or', 'mod'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type StepOp = (typeof STEP_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type CompareOp = (typeof COMPARE_OPS)[number];

/** 2-D convolution geometry (1-D convolutions are lifted to 2-D with H = 1). */
export interface ConvGeom {
  strides: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
}

/** 2-D pooling geometry. */
export interface PoolGeom {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  /** AveragePool: whether padded cells count in the divisor. */
  countIncludePad: boolean;
}

export type Op =
  | 'input'
  | 'param'
  | 'buffer'
  | 'const'
  | UnaryOp
  | StepOp
  | BinaryOp
  | CompareOp
  | 'where'
  | 'sum'
  | 'rmax'
  | 'expand'
  | 'reshape'
  | 'transpose'
  | 'gatherMap'
  | 'scatterMap'
  | 'concat'
  | 'gatherRows'
  | 'scatterRows'
  | 'matmul'
  | 'conv'
  | 'convBackInput'
  | 'convBackWeight'
  | 'maxpoolGather'
  | 'maxpoolScatter'
  | 'avgpool'
  | 'avgpoolT';

export interface Attrs {
  /** input, buffer: the feed name; param: the parameter index. */
  name?: string;
  index?: number;
  /** const: the values (float64 so folded shape arithmetic stays exact). */
  data?: Float64Array;
  /** sum, rmax: reduced axes (kept as size 1). */
  axes?: number[];
  perm?: number[];
  /** gatherMap / scatterMap: out[i] = in[map[i]] (map[i] = -1 gives 0). */
  map?: Int32Array;
  axis?: number;
  conv?: ConvGeom;
  pool?: PoolGeom;
}

export interface Node {
  id: number;
  op: Op;
  inputs: number[];
  shape: Shape;
  attrs: Attrs;
  /** Whether a gradient can flow to this value from a parameter or a differentiable input. */
  requiresGrad: boolean;
}
