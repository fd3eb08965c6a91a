// Rows of a table by run-time indices (float data): out[i, k] = table[idx[i], k]; a negative index
// counts from the end. An index that is not an integer in [-rows, rows) cannot raise an error on
// the device (the CPU throws 'Gather index … is out of range'): its output row is NaN, which
// poisons the loss rather than silently reading another row, and nothing is read out of bounds.
// U: [n = count * rowSize, rowSize, rows, NaN bits] (a run-time NaN: WGSL rejects a NaN constant)
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 256u);
  if (o >= u(0u)) { return; }
  let rowSize = u(1u);
  let rows = f32(u(2u));
  let v = idx[o / rowSize];
  if (!(v == floor(v) && v >= -rows && v < rows)) {
    out[o] = bitcast<f32>(u(3u));
    return;
  }
  let r = u32(select(v, v + rows, v < 0.0));
  out[o] = table[r * rowSize + o % rowSize];
}
