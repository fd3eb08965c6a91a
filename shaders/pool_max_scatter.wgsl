// maxpoolScatter, pass 2, as a gather: out[cell] = sum of g[o] over the windows o that contain the
// cell and whose argmax (pass 1) is it, in increasing o (the CPU's order: deterministic).
// U: see pool_common (n = the number of input cells).
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> arg: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

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
  var s = 0.0;
  // Window row oh holds ih at kernel row i when oh * sh = ih + pt - i * dh: i from kh - 1 down to
  // 0 visits oh (and likewise ow) in increasing order.
  for (var i = G.kh - 1; i >= 0; i = i - 1) {
    let th = ih + G.pt - i * G.dh;
    if (th < 0 || th % G.sh != 0 || th / G.sh >= G.OH) { continue; }
    let oh = th / G.sh;
    for (var j = G.kw - 1; j >= 0; j = j - 1) {
      let tw = iw + G.pl - j * G.dw;
      if (tw < 0 || tw % G.sw != 0 || tw / G.sw >= G.OW) { continue; }
      let o = (nc * G.OH + oh) * G.OW + tw / G.sw;
      if (arg[o] == i32(cell)) { s = s + g[o]; }
    }
  }
  out[cell] = s;
}
