/** Writing .npz archives of float32/float64 arrays (NumPy format 1.0, stored entries). */
import { zipSync } from 'fflate';

function npy(data: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float64Array ? '<f8' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // The header, with the 10-byte preamble and a newline, is padded to a multiple of 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpz(
  arrays: Array<{ name: string; data: Float32Array | Float64Array; shape: number[] }>,
): Uint8Array {
  return zipSync(Object.fromEntries(arrays.map((a) => [`${a.name}.npy`, npy(a.data, a.shape)])), { level: 0 });
}
