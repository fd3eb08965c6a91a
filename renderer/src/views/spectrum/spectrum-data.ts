/**
 * What the spectrum views show, computed from a run's typed results without a display: the
 * eigenpairs in order with their residuals, the live Ritz trails, the density on a log scale, the
 * criteria with what they mean, the per-layer rows sorted; and each of them as CSV and JSON, so an
 * export holds exactly what is on screen.
 */
import type { Criteria, PerLayerRow, RitzPartial, Spectrum, StoredEigenvector } from '../../../../src/api/contract';

export interface EigenRow {
  /** top1, top2, ..., bottom1, ...: the label the run's eigenvectors are stored under. */
  label: string;
  end: 'top' | 'bottom';
  value: number;
  residual: number | null;
  /** Its eigenvector is stored with the run (a landscape can follow it). */
  hasVector: boolean;
}

export function eigenRows(spectrum: Partial<Spectrum> | undefined, vectors: StoredEigenvector[]): EigenRow[] {
  if (!spectrum) return [];
  const stored = new Set(vectors.map((v) => v.label));
  const rows = (end: 'top' | 'bottom', values: number[] | undefined, residuals: number[] | undefined) =>
    (values ?? []).map((value, i) => ({
      label: `${end}${i + 1}`,
      end,
      value,
      residual: residuals?.[i] ?? null,
      hasVector: stored.has(`${end}${i + 1}`),
    }));
  return [
    ...rows('top', spectrum.topEigenvalues, spectrum.residuals?.top),
    ...rows('bottom', spectrum.bottomEigenvalues, spectrum.residuals?.bottom),
  ];
}

/** Ritz values over Lanczos steps, one trail per wanted pair, as they arrive. */
export interface RitzTrail {
  steps: number[];
  /** null where a value was not finite (a diverged model). */
  top: Array<Array<number | null>>;
  bottom: Array<Array<number | null>>;
  residuals: { top: Array<number | null>; bottom: Array<number | null> };
}

export const emptyTrail = (): RitzTrail => ({ steps: [], top: [], bottom: [], residuals: { top: [], bottom: [] } });

/** Add one step's Ritz values (a step seen before replaces nothing: steps only grow). */
export function extendTrail(trail: RitzTrail, step: number, ritz: RitzPartial): RitzTrail {
  if (trail.steps.length && step <= trail.steps[trail.steps.length - 1]) return trail;
  return {
    steps: [...trail.steps, step],
    top: [...trail.top, ritz.top],
    bottom: [...trail.bottom, ritz.bottom],
    residuals: { top: ritz.topResiduals, bottom: ritz.bottomResiduals },
  };
}

/** An axis tick: plain numbers from 0.01 to 10⁴ (150, not 1.5e+2), exponents outside. */
export const tickText = (v: number | { valueOf(): number }) => {
  const n = Number(v);
  if (n === 0) return '0';
  return Math.abs(n) >= 1e4 || Math.abs(n) < 1e-2 ? n.toExponential(0) : String(Number(n.toPrecision(4)));
};

/** Significant digits shown for eigenvalues: enough to compare with an export by eye. */
export const DIGITS = 8;
export const showNumber = (x: number | null | undefined, digits = DIGITS) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toPrecision(digits);

/**
 * The density for a log axis: values below `floor`·max are raised to it (PyHessian's plots clip the
 * same way), so the axis is not stretched by the Gaussian tails' underflow.
 */
export function logDensity(
  density: { grid: number[]; values: number[] },
  floor = 1e-10,
): { x: number[]; y: number[]; min: number; max: number } {
  const max = Math.max(...density.values);
  const min = max * floor;
  return { x: density.grid, y: density.values.map((v) => Math.max(v, min)), min, max };
}

export interface CriterionCard {
  key: 're' | 'kh' | 'ct' | 'hesd';
  title: string;
  value: string;
  measures: string;
  reading: string;
}

const meanStd = (m: number | null, s: number | null) =>
  m === null ? 'undefined' : `${showNumber(m, 5)} ± ${showNumber(s ?? 0, 2)}`;

/** The four LLA criteria with one sentence on what each measures and how the paper reads it. */
export function criteriaCards(c: Criteria): CriterionCard[] {
  return [
    {
      key: 're',
      title: 're',
      value: meanStd(c.re.mean, c.re.std),
      measures: 'The size of the most negative curvature relative to the most positive: |λmin / λmax|.',
      reading:
        'LLA reads a small re as a landscape close to convex at this point; changes in it track changes in accuracy.',
    },
    {
      key: 'kh',
      title: `Kh (n = ${c.kh.n})`,
      value: meanStd(c.kh.mean, c.kh.std),
      measures: 'The weight of negative eigenvalues against positive ones in the density: Σλ<0 |λw|ⁿ / Σλ>0 (λw)ⁿ.',
      reading:
        c.kh.note ??
        'LLA reads Kh near 0 as a nearly positive-definite spectrum, and its change across data sets as a sign of a change in accuracy.',
    },
    {
      key: 'ct',
      title: 'Ct',
      value: meanStd(c.ct.mean, c.ct.std),
      measures: 'The signed ratio λmin / λmax: negative when the spectrum has both signs.',
      reading: 'LLA calls the spectrum mainly positive (MP) when Ct ≥ −0.6 and mainly negative (MN) below.',
    },
    {
      key: 'hesd',
      title: 'HESD type',
      value: c.hesdType,
      measures: 'Whether the Hessian eigenvalue spectral density is mainly positive (MP) or mainly negative (MN).',
      reading: c.note ?? 'MP: the LLA criteria apply; the follow-up paper says they do not apply to MN spectra.',
    },
  ];
}

export type LayerKey = 'name' | 'kind' | 'size' | 'topEigenvalue' | 'trace';

export function sortLayers(rows: PerLayerRow[], key: LayerKey, descending: boolean): PerLayerRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * c || a.name.localeCompare(b.name);
  });
}

/** RFC 4180 CSV, numbers at full precision (as JSON writes them). */
export function csv(header: string[], rows: Array<Array<string | number | null>>): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

export const eigenCsv = (rows: EigenRow[]) =>
  csv(
    ['label', 'eigenvalue', 'residual', 'eigenvector_stored'],
    rows.map((r) => [r.label, r.value, r.residual, String(r.hasVector)]),
  );

export const densityCsv = (density: {
  grid: number[];
  values: number[];
  runs: Array<{ nodes: number[]; weights: number[] }>;
}) =>
  csv(
    ['run', 'node', 'weight'],
    density.runs.flatMap((r, k) => r.nodes.map((n, i) => [k + 1, n, r.weights[i]])),
  );

export const layersCsv = (rows: PerLayerRow[]) =>
  csv(
    ['name', 'kind', 'size', 'top_eigenvalue', 'trace', 'trace_stderr'],
    rows.map((r) => [r.name, r.kind, r.size, r.topEigenvalue, r.trace, r.traceStderr]),
  );

export const criteriaCsv = (c: Criteria) =>
  csv(
    ['criterion', 'mean', 'std'],
    [
      ['re', c.re.mean, c.re.std],
      [`kh_${c.kh.n}`, c.kh.mean, c.kh.std],
      ['ct', c.ct.mean, c.ct.std],
      ['hesd_type', c.hesdType, null],
    ],
  );

/**
 * Each SLQ run smoothed alone on the stored grid, with the engine's Gaussian (variance =
 * bandwidth·max(1, λmax − λmin), the grid spanning [λmin − 0.01, λmax + 0.01]), all scaled by the
 * one factor that normalizes their average: so the average of the curves is exactly the stored
 * density, and the runs are drawn on its scale.
 */
export function runDensities(
  density: { grid: number[]; runs: Array<{ nodes: number[]; weights: number[] }> },
  bandwidth = 1e-5,
  margin = 0.01,
): number[][] {
  const { grid } = density;
  const n = grid.length;
  if (n < 2) return density.runs.map(() => []);
  const lo = grid[0];
  const dt = (grid[n - 1] - lo) / (n - 1);
  const variance = bandwidth * Math.max(1, grid[n - 1] - lo - 2 * margin);
  const reach = Math.sqrt(variance) * 40;
  const norm = 1 / Math.sqrt(2 * Math.PI * variance);
  const curves = density.runs.map((run) => {
    const values = new Array<number>(n).fill(0);
    run.nodes.forEach((node, i) => {
      const first = Math.max(0, Math.floor((node - reach - lo) / dt));
      const last = Math.min(n - 1, Math.ceil((node + reach - lo) / dt));
      for (let t = first; t <= last; t++)
        values[t] += run.weights[i] * norm * Math.exp(-((grid[t] - node) ** 2) / (2 * variance));
    });
    return values;
  });
  const total = (curves.reduce((a, c) => a + c.reduce((x, y) => x + y, 0), 0) / Math.max(1, curves.length)) * dt;
  return total > 0 ? curves.map((c) => c.map((v) => v / total)) : curves;
}
