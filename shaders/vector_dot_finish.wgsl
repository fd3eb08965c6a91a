// The second pass of vector_dot when the dot products stay on the device: workgroup r adds row
// r's `groups` partials (compensated, then a tree) into into[at + r]. U: [groups, at]
@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> into: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let groups = u(0u);
  let r = wid.x;
  var acc = 0.0;
  var comp = 0.0;
  for (var g = lid; g < groups; g = g + 256u) {
    let y = partials[r * groups + g] - comp;
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
  if (lid == 0u) { into[u(1u) + r] = part[0]; }
}
