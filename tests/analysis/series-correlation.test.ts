/** The LLA correlation of changes in criteria with changes in accuracy, on cases worked out by hand. */
import { describe, expect, it } from 'vitest';
import { criteriaAccuracyCorrelation, pearson, type SeriesPoint } from '../../src/analysis/series-correlation';

describe('pearson', () => {
  it('gives the hand-computed coefficient', () => {
    // x̄ = ȳ = 2: Σ(x−x̄)(y−ȳ) = 1, Σ(x−x̄)² = Σ(y−ȳ)² = 2, so r = 1/2.
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 15);
    // r is invariant under y → a·y + b, and changes sign with a.
    expect(pearson([1, 2, 3], [-2, -6, -4])).toBeCloseTo(-0.5, 15);
    expect(pearson([0.1, 0.4, 0.2, 0.9], [1.2, 2.1, 1.5, 3.6])).toBeCloseTo(1, 15);
  });

  it('is undefined without spread', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
    expect(() => pearson([1, 2], [1])).toThrow(/2 x values but 1/);
  });
});

/** Checkpoint c on data set d: criteria and accuracy from the formulas given. */
function series(
  checkpoints: number,
  dataSets: number,
  re: (c: number, d: number) => number | null,
  acc: (c: number, d: number) => number,
): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let c = 0; c < checkpoints; c++)
    for (let d = 0; d < dataSets; d++)
      out.push({ checkpoint: c, data: d, accuracy: acc(c, d), criteria: { re: re(c, d), kh: null, ct: 0.5 } });
  return out;
}

describe('criteriaAccuracyCorrelation', () => {
  it('is ±1 when accuracy changes linearly with the criterion, over every checkpoint and data set', () => {
    // Against data set 0: Δre = 0.1·c·d and Δacc = −0.3·c·d = −3·Δre exactly.
    const points = series(
      4,
      3,
      (c, d) => 0.2 + 0.1 * c * d + 0.05 * c,
      (c, d) => 0.9 - 0.3 * c * d - 0.01 * c,
    );
    const r = criteriaAccuracyCorrelation(points);
    expect(r.re.n).toBe(8);
    expect(r.re.r).toBeCloseTo(-1, 12);
    expect(r.re.pairs[0]).toEqual({ checkpoint: 0, data: 1, dCriterion: 0, dAccuracy: 0 });
    expect(r.re.pairs[2].dCriterion).toBeCloseTo(0.1, 15);
    expect(r.re.pairs[2].dAccuracy).toBeCloseTo(-0.3, 15);
  });

  it('matches a hand-computed value: the Δ pairs (1, 1), (2, 3), (3, 2) give r = 1/2', () => {
    const dre = [1, 2, 3];
    const dacc = [1, 3, 2];
    const points = series(
      3,
      2,
      (c, d) => 5 + c + d * dre[c],
      (c, d) => 0.5 + 0.01 * (c + d * dacc[c]),
    );
    const r = criteriaAccuracyCorrelation(points).re;
    expect(r.n).toBe(3);
    expect(r.r).toBeCloseTo(0.5, 12);
  });

  it('leaves out undefined criteria and says why a correlation is undefined', () => {
    const points = series(
      3,
      2,
      (c, d) => (c === 1 && d === 1 ? null : 0.1 * c + d),
      (c, d) => 0.8 + 0.1 * d * c,
    );
    const r = criteriaAccuracyCorrelation(points);
    expect(r.re.n).toBe(2);
    expect(r.re.r).toBeNull();
    expect(r.re.note).toMatch(/2 pair\(s\)/);
    expect(r.kh.n).toBe(0);
    // Ct never changes: no spread, so no correlation.
    expect(r.ct.n).toBe(3);
    expect(r.ct.r).toBeNull();
    expect(r.ct.note).toMatch(/all equal/);
  });
});
