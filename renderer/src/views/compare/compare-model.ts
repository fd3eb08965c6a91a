/**
 * What a comparison of runs shows, computed without the DOM: one table of numbers (loss, accuracy,
 * eigenvalues, trace, criteria) with each run's difference from the first, the spectral densities to
 * overlay, the 1-D curves to overlay, and one colour scale shared by every surface, so that equal
 * losses get equal colours in every map. Also the comparison as CSV.
 */
import { interpolateViridis } from 'd3-scale-chromatic';
import type { RunView } from '../../../../src/api/contract';

export interface Compared {
  view: RunView;
  name: string;
  colour: string;
}

export interface ComparisonRow {
  quantity: string;
  /** One value per run, in the order compared; null where a run does not have it. */
  values: Array<number | null>;
  /** value − the first run's value; null where either is missing. */
  deltas: Array<number | null>;
}

type Spectrum = {
  topEigenvalues?: number[];
  bottomEigenvalues?: number[];
  trace?: { estimate: number };
  criteria?: { re: { mean: number }; ct: { mean: number }; kh: { mean: number | null } };
  density?: { grid: number[]; values: number[] };
};

function quantities(v: RunView): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const loss = v.results.loss as { loss?: number; accuracy?: number | null } | undefined;
  if (loss?.loss !== undefined) out.set('loss', loss.loss);
  if (loss?.accuracy !== undefined && loss.accuracy !== null) out.set('accuracy', loss.accuracy);
  const s = (v.results.spectrum ?? {}) as Spectrum;
  s.topEigenvalues?.forEach((l, k) => {
    out.set(`λ${k + 1}`, l);
  });
  if (s.bottomEigenvalues?.length) out.set('λmin', s.bottomEigenvalues[0]);
  if (s.trace) out.set('trace', s.trace.estimate);
  if (s.criteria) {
    out.set('re', s.criteria.re.mean);
    out.set('Kh', s.criteria.kh.mean);
    out.set('Ct', s.criteria.ct.mean);
  }
  for (const g of v.grids) {
    const vals = g.loss.filter((x): x is number => x !== null);
    if (vals.length) {
      out.set(`${g.name} min loss`, Math.min(...vals));
      out.set(`${g.name} max loss`, Math.max(...vals));
    }
  }
  return out;
}

/** Every quantity any compared run has, in a stable order, with differences from the first run. */
export function comparisonRows(runs: RunView[]): ComparisonRow[] {
  const per = runs.map(quantities);
  const names: string[] = [];
  for (const q of per) for (const k of q.keys()) if (!names.includes(k)) names.push(k);
  return names.map((quantity) => {
    const values = per.map((q) => q.get(quantity) ?? null);
    const first = values[0];
    return {
      quantity,
      values,
      deltas: values.map((x) => (x === null || first === null ? null : x - first)),
    };
  });
}

/** Only the rows whose values differ between runs ("show only what differs"). */
export const differing = (rows: ComparisonRow[]) => rows.filter((r) => r.values.some((x) => x !== r.values[0]));

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const num = (x: number | null) => (x === null ? '' : String(x));

/** quantity, then each run's value, then each later run's difference from the first. */
export function comparisonCsv(rows: ComparisonRow[], names: string[]): string {
  const head = ['quantity', ...names, ...names.slice(1).map((n) => `${n} − ${names[0]}`)];
  const lines = [head.map(csvField).join(',')];
  for (const r of rows)
    lines.push([csvField(r.quantity), ...r.values.map(num), ...r.deltas.slice(1).map(num)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The spectral densities to overlay: one line per run that has one. */
export function densities(runs: Compared[]): Array<{ name: string; colour: string; grid: number[]; values: number[] }> {
  return runs.flatMap((r) => {
    const d = ((r.view.results.spectrum ?? {}) as Spectrum).density;
    return d ? [{ name: r.name, colour: r.colour, grid: d.grid, values: d.values }] : [];
  });
}

/** The 2-D surfaces (maps) and 1-D curves of the compared runs. */
export function gridsOf(runs: Compared[]) {
  const all = runs.flatMap((r) => r.view.grids.map((g) => ({ run: r, grid: g })));
  return { surfaces: all.filter((x) => x.grid.y !== null), curves: all.filter((x) => x.grid.y === null) };
}

/** One loss range for every surface compared: the smallest and largest computed loss among them. */
export function sharedDomain(grids: Array<{ loss: Array<number | null> }>): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const g of grids)
    for (const x of g.loss)
      if (x !== null && Number.isFinite(x)) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
  return lo <= hi ? [lo, hi] : null;
}

/** The colour of a loss on the shared scale: viridis over [lo, hi], as [r, g, b] bytes. */
export function lossColour(x: number, [lo, hi]: [number, number]): [number, number, number] {
  const t = hi > lo ? Math.min(1, Math.max(0, (x - lo) / (hi - lo))) : 0.5;
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(interpolateViridis(t));
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  // d3 gives a hex string for some inputs.
  const hex = interpolateViridis(t).replace('#', '');
  return [0, 2, 4].map((k) => Number.parseInt(hex.slice(k, k + 2), 16)) as [number, number, number];
}
