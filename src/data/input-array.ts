/** Model input arrays from NumPy data: float arrays as they are, integer ones (token ids, masks) checked. */
import { FileFormatError } from '../formats/errors';
import type { InputArray } from './dataset';

/** Largest integer float32 holds exactly: token ids and masks beyond it would change value. */
const EXACT_F32 = 2 ** 24;

/**
 * Floating-point arrays as they are; integer and bool arrays (token ids, masks; the NumPy readers
 * give them as float64) as exact float32.
 */
export function inputArray(
  a: { shape: number[]; data: Float32Array | Float64Array },
  key: string,
  path: string,
): InputArray {
  if (a.data instanceof Float32Array) return { shape: a.shape, data: a.data };
  const data = Float32Array.from(a.data);
  for (let i = 0; i < data.length; i++) {
    if (Math.abs(a.data[i]) >= EXACT_F32) {
      throw new FileFormatError(
        path,
        'data',
        'unsupported',
        `'${key}' holds ${a.data[i]} at flat position ${i}; integer inputs must lie within ±2^24 (16777216) to be computed exactly`,
      );
    }
  }
  return { shape: a.shape, data, integer: true };
}
