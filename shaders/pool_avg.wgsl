// avgpool: y[o] = sum over window o's cells inside x of x * 1/count. U: see pool_common.
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

POOL_COMMON

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 256u);
  if (o >= u(0u)) { return; }
  let G = geom();
  let ow = i32(o % u32(G.OW));
  let oh = i32((o / u32(G.OW)) % u32(G.OH));
  let base = i32(o / u32(G.OW * G.OH)) * G.H * G.W;
  let win = avgWindow(oh, ow, G);
  var s = 0.0;
  for (var ih = win.hs; ih < win.he; ih = ih + 1) {
    for (var iw = win.ws; iw < win.we; iw = iw + 1) { s = s + X[base + ih * G.W + iw] * win.w; }
  }
  y[o] = s;
}
