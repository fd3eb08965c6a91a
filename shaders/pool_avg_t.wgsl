// avgpoolT (the adjoint of avgpool) as a gather: out[cell] = sum of g[o] / count(o) over the
// windows o that contain the cell, in increasing o (the CPU's order). U: see pool_common (n = cells).
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

POOL_COMMON

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let cell = flatIndex(wid, nwg, lid, 256u);
  if (cell >= u(0u)) { return; }
  let G = geom();
  let iw = i32(cell % u32(G.W));
  let ih = i32((cell / u32(G.W)) % u32(G.H));
  let nc = i32(cell / u32(G.W * G.H));
  // Window oh covers rows oh * sh - pt .. + kh (clipped to x): oh in [ceil((ih + pt - kh + 1) / sh),
  // floor((ih + pt) / sh)] within [0, OH).
  let ohHi = min((ih + G.pt) / G.sh, G.OH - 1);
  let owHi = min((iw + G.pl) / G.sw, G.OW - 1);
  let ohLo = max(ceilDiv(ih + G.pt - G.kh + 1, G.sh), 0);
  let owLo = max(ceilDiv(iw + G.pl - G.kw + 1, G.sw), 0);
  var s = 0.0;
  for (var oh = ohLo; oh <= ohHi; oh = oh + 1) {
    for (var ow = owLo; ow <= owHi; ow = ow + 1) {
      let o = (nc * G.OH + oh) * G.OW + ow;
      s = s + g[o] * avgWindow(oh, ow, G).w;
    }
  }
  out[cell] = s;
}

// ceil(a / b) for b > 0 and any sign of a.
fn ceilDiv(a: i32, b: i32) -> i32 {
  if (a <= 0) { return -((-a) / b); }
  return (a + b - 1) / b;
}
