// Sums the weight gradient's K slices (conv_weight.wgsl): out[i] = Σ_s part[s·n + i], pairwise in a
// fixed order (deterministic). U: [n, slices] with slices ≤ 64.
@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  let n = u(0u);
  if (i >= n) { return; }
  var v: array<f32, 64>;
  var len = u(1u);
  for (var s = 0u; s < len; s = s + 1u) { v[s] = part[s * n + i]; }
  while (len > 1u) {
    let half = len / 2u;
    for (var s = 0u; s < half; s = s + 1u) { v[s] = v[2u * s] + v[2u * s + 1u]; }
    if (len % 2u == 1u) { v[half] = v[len - 1u]; }
    len = len - half;
  }
  out[i] = v[0];
}
