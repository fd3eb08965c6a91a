/** Recognize common files that are not models, so the error can say what the file is. */
const SIGNATURES: Array<{ test: (b: Uint8Array) => boolean; what: string }> = [
  { test: (b) => b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46, what: 'an ELF executable' },
  {
    test: (b) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04,
    what: 'a zip archive (a PyTorch checkpoint or .npz?)',
  },
  { test: (b) => b[0] === 0x80 && b[1] >= 2 && b[1] <= 5, what: 'a Python pickle (a legacy PyTorch checkpoint?)' },
  { test: (b) => b[0] === 0x93 && String.fromCharCode(...b.subarray(1, 6)) === 'NUMPY', what: 'a NumPy .npy array' },
  { test: (b) => b[0] === 0x89 && b[1] === 0x48 && b[2] === 0x44 && b[3] === 0x46, what: 'an HDF5 file' },
  { test: (b) => b[0] === 0x1f && b[1] === 0x8b, what: 'a gzip archive' },
  { test: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47, what: 'a PNG image' },
  { test: (b) => /^\s*<(!doctype|html|\?xml)/i.test(asciiPrefix(b)), what: 'an HTML or XML document' },
  { test: (b) => /^\s*[{[]/.test(asciiPrefix(b)), what: 'a JSON document' },
];

function asciiPrefix(b: Uint8Array): string {
  return String.fromCharCode(...b.subarray(0, 64));
}

/** A phrase like "an ELF executable", or null when the bytes match no known non-model signature. */
export function sniffNonModel(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'an empty file';
  return SIGNATURES.find((s) => s.test(bytes))?.what ?? null;
}
