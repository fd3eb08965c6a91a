// maxpoolGather: y[o] = z[argmax of x over window o] (0 for a window with no cell). U: see pool_common.
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

POOL_COMMON
POOL_ARGMAX

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 256u);
  if (o >= u(0u)) { return; }
  let best = argmaxOf(o, geom());
  y[o] = select(0.0, z[max(best, 0)], best >= 0);
}
