// maxpoolScatter, pass 1: the argmax of x over every output window, into a scratch table.
// U: see pool_common (n = the number of windows).
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> arg: array<i32>;

POOL_COMMON
POOL_ARGMAX

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 256u);
  if (o >= u(0u)) { return; }
  arg[o] = argmaxOf(o, geom());
}
