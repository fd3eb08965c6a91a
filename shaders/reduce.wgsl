// Reductions over any set of axes: out[o] = the sum or max over the reduced elements of input x.
// U: [nOut, nRed, keptRank, redRank, keptDims[8], keptStrides[8], redDims[8], redStrides[8]]
// Long reductions: one workgroup of 256 per output, per-thread compensated partials, then a tree;
// otherwise one thread per output (short reductions).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

fn baseOf(o: u32) -> u32 {
  var rest = o;
  var off = 0u;
  for (var d = i32(u(2u)) - 1; d >= 0; d = d - 1) {
    let dim = u(4u + u32(d));
    off = off + (rest % dim) * u(12u + u32(d));
    rest = rest / dim;
  }
  return off;
}

fn redOffset(r: u32) -> u32 {
  var rest = r;
  var off = 0u;
  for (var d = i32(u(3u)) - 1; d >= 0; d = d - 1) {
    let dim = u(20u + u32(d));
    off = off + (rest % dim) * u(28u + u32(d));
    rest = rest / dim;
  }
  return off;
}

fn combine(a: f32, b: f32) -> f32 { return COMBINE; }

BODY
