/** A spectral density for plotting: a 10,000-point grid down-sampled without losing its peaks. */

/** Down-sample by the maximum of each bin, so narrow peaks survive; + 1e-7 for a log axis. */
export function binnedDensity(d: { grid: number[]; values: number[] }, bins = 1000): { x: number[]; y: number[] } {
  const per = Math.ceil(d.grid.length / bins);
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b * per < d.grid.length; b++) {
    let peak = 0;
    for (let k = b * per; k < Math.min(d.grid.length, (b + 1) * per); k++) peak = Math.max(peak, d.values[k]);
    x.push(d.grid[b * per]);
    // PyHessian and LLA plot density + 1e-7 on a log axis; so does Saddle.
    y.push(peak + 1e-7);
  }
  return { x, y };
}
