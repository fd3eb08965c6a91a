// A landscape point: out = x + a·y + b·z (z is bound to y with b = 0 on a 1-D sweep). U: [n, a, b]
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  out[i] = x[i] + (uf(1u) * y[i] + uf(2u) * z[i]);
}
