/** A Hessian analysis as a run: the spectrum as one JSON result, eigenvectors as float32 BLOBs. */
import type { HessianReport } from '../analysis/spectrum';
import type { RunRecorder } from './recorder';

/** The documented JSON, in the documented key order, leaving out what was not asked for. */
export function spectrumJson(r: HessianReport) {
  const keys = [
    'topEigenvalues',
    'bottomEigenvalues',
    'residuals',
    'trace',
    'density',
    'criteria',
    'perLayer',
    'lanczos',
    'hvps',
    'seconds',
  ] as const;
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
}

/** The spectrum as one JSON result, its eigenvectors (when asked for) as float32 BLOBs. */
export function recordSpectrum(rec: RunRecorder, r: HessianReport, vectors: boolean): void {
  rec.result('spectrum', spectrumJson(r));
  if (!vectors || !r.eigenvectors) return;
  const top = r.eigenvectors.top.map((v, i) => ({ v, label: `top${i + 1}`, value: r.topEigenvalues?.[i] ?? null }));
  const bottom = r.eigenvectors.bottom.map((v, i) => ({
    v,
    label: `bottom${i + 1}`,
    value: r.bottomEigenvalues?.[i] ?? null,
  }));
  [...top, ...bottom].forEach((e, k) => {
    rec.vector(k, e.label, e.value, e.v);
  });
}
