// Transpose (any rank ≤ 8): out[o] = x[sum_d idx_d(o) * stride_d], where idx is o's multi-index in
// the output shape and stride_d the input stride of axis perm[d].
// U: [n, rank, 0 x6, outShape[8], permutedInStride[8]]
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 256u);
  if (o >= u(0u)) { return; }
  var rest = o;
  var off = 0u;
  for (var d = i32(u(1u)) - 1; d >= 0; d = d - 1) {
    let dim = u(8u + u32(d));
    off = off + (rest % dim) * u(16u + u32(d));
    rest = rest / dim;
  }
  out[o] = x[off];
}
