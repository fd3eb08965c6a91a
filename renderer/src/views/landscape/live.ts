/**
 * A running landscape, filled in as its points arrive: the engine's progress events carry each
 * finished point ({i, j, loss, accuracy}, the grid indices and the values) as their partial result.
 * The point is written into the run's main grid, which the panel then redraws.
 */
import { z } from 'zod';
import type { GridView } from './types';

const PointSchema = z.object({
  i: z.number().int().min(0),
  j: z.number().int().min(0),
  loss: z.number(),
  accuracy: z.number().nullable(),
});

/** Write the point a progress event carries into the main grid; false when it carried none. */
export function applyPoint(grids: GridView[], partial: unknown): boolean {
  const p = PointSchema.safeParse(partial);
  const g = grids[0];
  if (!p.success || !g) return false;
  const ny = g.y?.length ?? 1;
  if (p.data.i >= g.x.length || p.data.j >= ny) return false;
  const k = p.data.i * ny + p.data.j;
  g.loss[k] = Number.isFinite(p.data.loss) ? p.data.loss : null;
  if (p.data.accuracy !== null) {
    g.accuracy ??= new Array(g.loss.length).fill(null);
    g.accuracy[k] = p.data.accuracy;
  }
  g.complete = !g.loss.includes(null);
  return true;
}
