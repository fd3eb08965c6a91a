// Elementwise maps with NumPy broadcasting: out[i] = f(a, b, c) over up to three inputs.
// U: [n, rank, modeA, modeB, modeC, 0, 0, 0, shape[8], strideA[8], strideB[8], strideC[8]]
// mode 0: the input has the output's shape; 1: a scalar; 2: strided (0 where broadcast).
// The kernel declares the input bindings and the output, last, in place of the marker below.
BINDINGS

fn offsetOf(i: u32, which: u32) -> u32 {
  let mode = u(2u + which);
  if (mode == 0u) { return i; }
  if (mode == 1u) { return 0u; }
  let rank = u(1u);
  var rest = i;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d = d - 1) {
    let dim = u(8u + u32(d));
    let idx = rest % dim;
    rest = rest / dim;
    off = off + idx * u(16u + which * 8u + u32(d));
  }
  return off;
}

FUNCTIONS

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  LOADS
  out[i] = EXPR;
}
