// Static index map: out[i] = x[map[i]], 0 where map[i] < 0 (a padded cell) or past the end of x.
// U: [n, size(x)]
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> map: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  let j = map[i];
  var v = 0.0;
  if (j >= 0 && u32(j) < u(1u)) { v = x[u32(j)]; }
  out[i] = v;
}
