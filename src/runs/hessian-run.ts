/** A Hessian analysis as a run: the spectrum as one JSON result, eigenvectors as float32 BLOBs. */
import type { HessianReport } from '../analysis/spectrum';
import { writeNpz } from '../formats/npz-write';
import type { RunRecorder } from './recorder';

/** Where each parameter tensor sits in the flat vectors. */
export type ParamLayout = Array<{ name: string; shape: number[]; size: number; offset: number }>;

/**
 * Eigenvectors as an .npz: v1/<param>, v2/<param>, ... in the order given (top first, then bottom
 * ascending), plus `eigenvalues`, the layout `saddle landscape --directions` reads back.
 */
export function eigenvectorsNpz(
  vectors: Array<{
    data: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
    eigenvalue: number | null;
  }>,
  params: ParamLayout,
): Uint8Array {
  const arrays = vectors.flatMap((v, k) =>
    params.map((p) => ({
      name: `v${k + 1}/${p.name}`,
      data: Float32Array.from(v.data.subarray(p.offset, p.offset + p.size)),
      shape: p.shape,
    })),
  );
  const values = vectors.map((v) => v.eigenvalue ?? Number.NaN);
  arrays.push({ name: 'eigenvalues', data: Float32Array.from(values), shape: [values.length] });
  return writeNpz(arrays);
}

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
export function recordSpectrum(rec: RunRecorder, r: HessianReport, vectors: false | ParamLayout): void {
  rec.result('spectrum', spectrumJson(r));
  if (!vectors || !r.eigenvectors) return;
  rec.result('parameters', vectors);
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
