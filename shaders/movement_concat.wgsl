// One input's block of a concat: x viewed as [outer, chunk] lands at columns offset .. offset +
// chunk of out viewed as [outer, outChunk]. U: [n = outer * chunk, chunk, outChunk, offset]
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  if (i >= u(0u)) { return; }
  let chunk = u(1u);
  out[(i / chunk) * u(2u) + u(3u) + i % chunk] = x[i];
}
