// Dot products of one vector x (length n) with `rows` vectors stored one after another in M from
// element mOffset: the first of two passes. Workgroup (g, r) sums a strided slice of row r with
// compensated (Kahan) per-thread partials, then a tree; partials[r·groups + g] holds the result.
// U: [n, mOffset, groups]
@group(0) @binding(0) var<storage, read> M: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = u(0u);
  let groups = u(2u);
  let g = wid.x;
  let r = wid.y;
  let base = u(1u) + r * n;
  var acc = 0.0;
  var comp = 0.0;
  for (var i = g * 256u + lid; i < n; i = i + groups * 256u) {
    let y = M[base + i] * x[i] - comp;
    let t = acc + y;
    comp = (t - acc) - y;
    acc = t;
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s / 2u) {
    if (lid < s) { part[lid] = part[lid] + part[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[r * groups + g] = part[0]; }
}
