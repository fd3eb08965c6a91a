// Reductions over any set of axes: out[o] = the sum or max over the reduced elements of input x.
// U: [nOut, nRed, keptRank, redRank, keptDims[8], keptStrides[8], redDims[8], redStrides[8]]
// Long reductions: one workgroup of 256 per output, per-thread compensated partials, then a tree;
// otherwise one thread per output (short reductions).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

// The flat offset of the i-th element of a sub-shape: `rank` dims at word dimsAt, strides at stridesAt.
fn offsetIn(i: u32, rank: u32, dimsAt: u32, stridesAt: u32) -> u32 {
  var rest = i;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d = d - 1) {
    let dim = u(dimsAt + u32(d));
    off = off + (rest % dim) * u(stridesAt + u32(d));
    rest = rest / dim;
  }
  return off;
}

// Where output o's reduction starts (kept axes), and the r-th reduced element from there.
fn baseOf(o: u32) -> u32 { return offsetIn(o, u(2u), 4u, 12u); }
fn redOffset(r: u32) -> u32 { return offsetIn(r, u(3u), 20u, 28u); }

fn combine(a: f32, b: f32) -> f32 { return COMBINE; }

BODY
