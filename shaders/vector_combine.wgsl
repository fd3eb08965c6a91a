// A combination of `rows` vectors stored one after another in M: y += alpha·Σ_r c[at + r]·M_r
// (Gram-Schmidt's subtraction with alpha = -1, a Ritz vector with alpha = 1). One thread per
// element, reading M row by row so neighbouring threads read neighbouring words.
// U: [n, rows, at, alpha]
@group(0) @binding(0) var<storage, read> M: array<f32>;
@group(0) @binding(1) var<storage, read> c: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  let n = u(0u);
  if (i >= n) { return; }
  let at = u(2u);
  var acc = 0.0;
  var comp = 0.0;
  for (var r = 0u; r < u(1u); r = r + 1u) {
    let v = c[at + r] * M[r * n + i] - comp;
    let t = acc + v;
    comp = (t - acc) - v;
    acc = t;
  }
  y[i] = y[i] + uf(3u) * acc;
}
