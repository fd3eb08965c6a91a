/**
 * Every option of `saddle hessian` and `saddle landscape`, with the CLI's defaults, as form fields;
 * and the requests built from them, checked against the contract's schemas before a job starts.
 */
import {
  HessianRequestSchema,
  InterpolateRequestSchema,
  LandscapeRequestSchema,
  type Request,
} from '../../../../src/api/contract';
import type { Field, FormValues } from './form';

const RANGE = /^-?[\d.e+-]+:-?[\d.e+-]+$/;
const AXIS = /^-?[\d.e+-]+:-?[\d.e+-]+(:\d+)?$/;

/** How the data set is read and the loss evaluated: shared by both analyses. */
export const evaluationFields: Field[] = [
  {
    kind: 'int',
    key: 'samples',
    label: 'samples',
    default: null,
    min: 1,
    max: 1e9,
    help: 'a seeded subset; empty for all',
  },
  {
    kind: 'int',
    key: 'batchSize',
    label: 'batch size',
    default: 128,
    min: 1,
    max: 65536,
    help: 'mini-batch size (sums are exact in float64 whatever it is)',
  },
  {
    kind: 'select',
    key: 'bn',
    label: 'BatchNorm',
    default: 'eval',
    choices: [
      ['eval', 'eval (running statistics)'],
      ['train', 'train (batch statistics)'],
    ],
    help: 'PyHessian forces eval mode; LLA leaves the model in train mode',
  },
  {
    kind: 'select',
    key: 'loss',
    label: 'loss',
    default: 'auto',
    choices: [
      ['auto', 'auto'],
      ['cross-entropy', 'cross-entropy'],
      ['mse', 'mean squared error'],
    ],
    help: 'auto: integer targets mean cross-entropy, float targets mean squared error',
  },
  {
    kind: 'select',
    key: 'backend',
    label: 'backend',
    default: 'auto',
    choices: [
      ['auto', 'auto (GPU if present)'],
      ['cpu', 'CPU'],
      ['webgpu', 'WebGPU'],
    ],
    help: 'where the kernels run',
  },
  {
    kind: 'number',
    key: 'scale',
    label: 'scale',
    default: null,
    positive: true,
    help: 'divide inputs by this (255 for bytes)',
  },
  { kind: 'list', key: 'mean', label: 'mean', default: '', optional: true, help: 'per-channel mean, comma-separated' },
  {
    kind: 'list',
    key: 'std',
    label: 'std',
    default: '',
    optional: true,
    help: 'per-channel standard deviation, comma-separated',
  },
  { kind: 'bool', key: 'nhwc', label: 'channels last', default: false, help: 'inputs are NHWC: transpose to NCHW' },
];

export const hessianFields: Field[] = [
  { kind: 'int', key: 'topK', label: 'top-k', default: 5, min: 0, max: 100, help: 'largest eigenvalues' },
  { kind: 'int', key: 'bottomK', label: 'bottom-k', default: 3, min: 0, max: 100, help: 'smallest eigenvalues' },
  {
    kind: 'int',
    key: 'iterations',
    label: 'iterations',
    default: 100,
    min: 1,
    max: 2000,
    help: 'Lanczos steps (and SLQ steps per run)',
  },
  {
    kind: 'bool',
    key: 'eigenvectors',
    label: 'keep eigenvectors',
    default: true,
    help: 'store them so a landscape can follow one',
  },
  {
    kind: 'bool',
    key: 'trace',
    label: 'trace',
    default: true,
    help: 'Hutchinson or Hutch++ estimate with its standard error',
  },
  {
    kind: 'select',
    key: 'traceMethod',
    label: 'trace method',
    default: 'hutchinson',
    choices: [
      ['hutchinson', 'Hutchinson'],
      ['hutch++', 'Hutch++'],
    ],
    help: 'Hutch++ sketches the top subspace exactly',
  },
  {
    kind: 'int',
    key: 'traceProbes',
    label: 'trace probes',
    default: 100,
    min: 2,
    max: 10000,
    help: 'at most this many probes',
  },
  { kind: 'bool', key: 'density', label: 'density', default: true, help: 'SLQ spectral density and the LLA criteria' },
  {
    kind: 'int',
    key: 'runs',
    label: 'density runs',
    default: 3,
    min: 1,
    max: 100,
    help: 'SLQ runs (criteria are mean ± std over them)',
  },
  {
    kind: 'number',
    key: 'bandwidth',
    label: 'bandwidth',
    default: 1e-5,
    positive: true,
    max: 1,
    help: 'Gaussian variance / max(1, λmax − λmin) (PyHessian: 1e-5)',
  },
  {
    kind: 'number',
    key: 'khN',
    label: 'Kh n',
    default: 0.5,
    positive: true,
    max: 10,
    help: 'the exponent n of Kh_n (LLA: 0.5)',
  },
  {
    kind: 'bool',
    key: 'perLayer',
    label: 'per-layer',
    default: false,
    help: 'top eigenvalue and trace of each tensor and module block',
  },
  {
    kind: 'int',
    key: 'seed',
    label: 'seed',
    default: 0,
    min: -2147483648,
    max: 2147483647,
    help: 'fixes the probes and the subset',
  },
];

export const landscapeFields: Field[] = [
  {
    kind: 'select',
    key: 'dims',
    label: 'dimensions',
    default: '2',
    choices: [
      ['1', '1-D curve'],
      ['2', '2-D surface'],
    ],
    help: 'a curve along d1 or a surface on d1 × d2',
  },
  { kind: 'int', key: 'steps', label: 'steps', default: 21, min: 2, max: 401, help: 'points per axis' },
  {
    kind: 'text',
    key: 'range',
    label: 'range',
    default: '-1:1',
    pattern: RANGE,
    patternHelp: 'a:b',
    help: 'both axes, a:b',
  },
  {
    kind: 'text',
    key: 'x',
    label: 'x range',
    default: '',
    optional: true,
    pattern: AXIS,
    patternHelp: 'a:b or a:b:n',
    help: 'overrides range on x',
  },
  {
    kind: 'text',
    key: 'y',
    label: 'y range',
    default: '',
    optional: true,
    pattern: AXIS,
    patternHelp: 'a:b or a:b:n',
    help: 'overrides range on y',
  },
  {
    kind: 'select',
    key: 'directions',
    label: 'directions',
    default: 'random',
    choices: [
      ['random', 'random (Gaussian, orthogonalized)'],
      ['hessian', 'Hessian: two largest |λ|'],
      ['hessian-minmax', 'Hessian: λmax and λmin'],
      ['file', 'from a file (.npz)…'],
      ['interpolate', 'between checkpoints…'],
    ],
    help: 'or pick eigenvalues in a spectrum',
  },
  {
    kind: 'select',
    key: 'norm',
    label: 'normalization',
    default: 'filter',
    choices: [
      ['filter', 'filter (Li)'],
      ['layer', 'layer'],
      ['model', 'model'],
      ['weight', 'weight'],
      ['none', 'none'],
    ],
    help: 'how each direction is scaled against θ',
  },
  {
    kind: 'select',
    key: 'oneD',
    label: '1-D parameters',
    default: 'zero',
    choices: [
      ['zero', 'zero (Li biasbn)'],
      ['normalize', 'normalize (LLA)'],
      ['copy', 'copy θ'],
    ],
    help: 'biases and BatchNorm scale/shift in a direction',
  },
  {
    kind: 'int',
    key: 'seed',
    label: 'seed',
    default: 0,
    min: -2147483648,
    max: 2147483647,
    help: 'fixes the random directions',
  },
];

export interface Basis {
  job: string;
  modelId: string;
  data: string;
  weights?: string;
}

/** Drop fields left empty, so the engine's defaults apply and the recorded options stay short. */
const defined = (v: FormValues) => Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));

/** A schema failure as one sentence naming the form and the field. */
function checked<T>(
  where: string,
  parse: () =>
    | { success: true; data: T }
    | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } },
): T {
  const r = parse();
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`${where}: ${issue.path.map(String).join('.')}: ${issue.message}.`);
}

export function hessianRequest(basis: Basis, evaluation: FormValues, options: FormValues): Request<'hessian'> {
  return checked('Spectrum options', () =>
    HessianRequestSchema.safeParse({ ...basis, ...defined(evaluation), options: defined(options) }),
  );
}

export function landscapeRequest(
  basis: Basis,
  evaluation: FormValues,
  options: FormValues,
  extra: { directionsFile?: string; eigenvectors?: { run: string; vectors: string[] } } = {},
): Request<'landscape'> {
  const o = defined({ ...options, dims: Number(options.dims) });
  return checked('Landscape options', () =>
    LandscapeRequestSchema.safeParse({ ...basis, ...defined(evaluation), options: { ...o, ...extra } }),
  );
}

/** A curve between two checkpoints or the plane of three, with the landscape form's steps and range. */
export function interpolateRequest(
  basis: Basis,
  evaluation: FormValues,
  options: FormValues,
  checkpoints: string[],
): Request<'interpolate'> {
  if (checkpoints.length < 2 || checkpoints.length > 3)
    throw new Error(
      `Landscape options: interpolation needs 2 checkpoints (a curve) or 3 (a plane); ${checkpoints.length} were chosen.`,
    );
  const [from, to, third] = checkpoints;
  const { weights: _, ...rest } = basis;
  return checked('Landscape options', () =>
    InterpolateRequestSchema.safeParse({
      ...rest,
      ...defined(evaluation),
      options: defined({ from, to, third, steps: options.steps, range: options.range }),
    }),
  );
}
