/**
 * The LLA paper's test of its criteria (arXiv:2412.10146, abstract): when the data set changes, the
 * change in a criterion correlates with the change in accuracy. For every checkpoint and every data
 * set after the first (the reference, usually the training set), Δc = c(checkpoint, data) −
 * c(checkpoint, reference) and Δa likewise for accuracy; the Pearson correlation of the (Δc, Δa)
 * pairs over all checkpoints and data sets is reported with its sample size, per criterion.
 */

export type CriterionName = 're' | 'kh' | 'ct';
export const CRITERIA: CriterionName[] = ['re', 'kh', 'ct'];

/** One member of a series: where it sits, its accuracy and its criteria (means over SLQ runs). */
export interface SeriesPoint {
  checkpoint: number;
  data: number;
  accuracy: number | null;
  criteria: Partial<Record<CriterionName, number | null>>;
}

export interface Correlation {
  /** Pearson's r, or null when it is undefined (fewer than 3 pairs, or no spread in Δc or Δa). */
  r: number | null;
  /** How many (Δc, Δa) pairs it is computed from. */
  n: number;
  /** The pairs themselves, for a scatter plot. */
  pairs: Array<{ checkpoint: number; data: number; dCriterion: number; dAccuracy: number }>;
  note?: string;
}

/** Pearson's correlation coefficient of paired samples; null when either side has no spread. */
export function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n !== ys.length) throw new Error(`pearson: ${n} x values but ${ys.length} y values.`);
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  // Relative to the data's scale: differences of equal float numbers are not spread.
  const tiny = (s: number, m: number) => s <= 1e-24 * Math.max(1, m * m) * n;
  if (tiny(sxx, mx) || tiny(syy, my)) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** The correlation of changes in each criterion with changes in accuracy, against data set 0. */
export function criteriaAccuracyCorrelation(points: SeriesPoint[]): Record<CriterionName, Correlation> {
  const at = new Map(points.map((p) => [`${p.checkpoint},${p.data}`, p]));
  const out = {} as Record<CriterionName, Correlation>;
  for (const name of CRITERIA) {
    const pairs: Correlation['pairs'] = [];
    for (const p of points) {
      if (p.data === 0) continue;
      const ref = at.get(`${p.checkpoint},0`);
      const c = p.criteria[name];
      const c0 = ref?.criteria[name];
      if (!ref || c == null || c0 == null || p.accuracy === null || ref.accuracy === null) continue;
      pairs.push({ checkpoint: p.checkpoint, data: p.data, dCriterion: c - c0, dAccuracy: p.accuracy - ref.accuracy });
    }
    const r =
      pairs.length < 3
        ? null
        : pearson(
            pairs.map((q) => q.dCriterion),
            pairs.map((q) => q.dAccuracy),
          );
    const note =
      pairs.length < 3
        ? `${pairs.length} pair(s): a correlation needs at least 3 (checkpoints × data sets beyond the first)`
        : r === null
          ? 'undefined: the changes in the criterion or in accuracy are all equal'
          : undefined;
    out[name] = { r, n: pairs.length, pairs, ...(note ? { note } : {}) };
  }
  return out;
}
