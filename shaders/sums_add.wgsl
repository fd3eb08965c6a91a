// Move an executable's running sum (s − c, compensated; see accumulate.wgsl) into a flat device
// vector at element offset `off`, and reset the sum for the next call. U: [n, off]
@group(0) @binding(0) var<storage, read_write> s: array<f32>;
@group(0) @binding(1) var<storage, read_write> c: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  let k = u(1u) + i;
  dst[k] = dst[k] + (s[i] - c[i]);
  s[i] = 0.0;
  c[i] = 0.0;
}
