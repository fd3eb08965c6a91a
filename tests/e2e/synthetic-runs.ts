/** Landscape runs with analytic grids, written to a runs database as a CLI run would write them. */
import type { RunStore } from '../../src/store/store';

export const axis = (n: number) => Array.from({ length: n }, (_v, k) => -1 + (2 * k) / (n - 1));
/** A tilted bowl with ripples: one lowest point, away from the centre, and no flat ties. */
export const bowl = (a: number, b: number) => 0.3 + (a - 0.2) ** 2 + 2 * (b + 0.1) ** 2 + 0.05 * Math.sin(3 * a + 1);
const accuracyAt = (a: number, b: number) => Math.max(0, 1 - 0.3 * (a * a + b * b));

/** A finished landscape run in the store with an analytic grid (stored as float32, as every grid is). */
export function addGrid(
  store: RunStore,
  name: string,
  n: number,
  twoD: boolean,
  meta: Record<string, unknown> = {
    directions: { kind: 'hessian', normalization: 'none', lambda1: 41.5, lambda2: 3.25 },
  },
): string {
  const id = store.createRun({ kind: meta.path ? 'trajectory' : 'landscape', name, options: { synthetic: true } });
  const x = axis(n);
  const y = twoD ? axis(n) : null;
  const ny = y?.length ?? 1;
  const loss = new Float64Array(n * ny);
  const acc = new Float64Array(n * ny);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < ny; j++) {
      loss[i * ny + j] = bowl(x[i], y ? y[j] : 0);
      acc[i * ny + j] = accuracyAt(x[i], y ? y[j] : 0);
    }
  store.putGridAxes(id, 'surface', x, y, meta);
  store.finishGrid(id, 'surface', loss, acc);
  store.finish(id, 'finished');
  return id;
}
