// The adjoint of a static index map, as a gather: out[j] = sum of g[i] over the i with map[i] = j.
// The map was inverted when the kernel was built into CSR form: tbl[j] .. tbl[j + 1] delimit, in
// tbl[m + 1 + k], the sources of out[j] in increasing i (a fixed order: the result is deterministic).
// The sum is compensated (Kahan), since a broadcast's adjoint may add thousands of terms.
// U: [m]
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> tbl: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = flatIndex(wid, nwg, lid, 256u);
  let m = u(0u);
  if (j >= m) { return; }
  let start = u32(tbl[j]);
  let end = u32(tbl[j + 1u]);
  var s = 0.0;
  var c = 0.0;
  for (var k = start; k < end; k = k + 1u) {
    let y = g[u32(tbl[m + 1u + k])] - c;
    let t = s + y;
    c = (t - s) - y;
    s = t;
  }
  out[j] = s;
}
