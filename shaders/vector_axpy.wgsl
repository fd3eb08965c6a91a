// y += alpha·x, x read from element xOffset of its buffer (a basis row). U: [n, xOffset, alpha]
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  y[i] = y[i] + uf(2u) * x[u(1u) + i];
}
