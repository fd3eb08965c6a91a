/** Viridis (perceptually uniform, colour-blind safe), by linear interpolation between nine stops. */
const STOPS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** t in [0, 1] (clamped) to an `rgb(...)` colour. */
export function viridis(t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - k;
  const c = STOPS[k].map((a, i) => Math.round(a + f * (STOPS[k + 1][i] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
