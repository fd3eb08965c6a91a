// Running sums of a plan's outputs over mini-batches, compensated (Kahan): s + c carries about
// twice float32's precision, so thousands of batches add no more error than a float64 sum would
// show in the first 7 digits. U: [n].
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> s: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  let y = x[i] - c[i];
  let t = s[i] + y;
  c[i] = (t - s[i]) - y;
  s[i] = t;
}
