// scatterRows, pass 2: out[r, k] = sum of g[i, k] over the i with idx[i] = r, as a gather over the
// sorted (row, i) list of pass 1: a binary search finds row r's run, summed in increasing i
// (compensated). Any invalid index (sorted last, with key `rows`) makes the whole result NaN: the
// device cannot throw as the CPU does, and must not drop the row silently.
// U: [n = rows * rowSize, rowSize, count, rows, NaN bits] (a run-time NaN: WGSL rejects a NaN constant)
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> sorted: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 256u);
  if (o >= u(0u)) { return; }
  let rowSize = u(1u);
  let count = u(2u);
  if (count > 0u && sorted[count - 1u] >= u(3u)) {
    out[o] = bitcast<f32>(u(4u));
    return;
  }
  let r = o / rowSize;
  let k = o % rowSize;
  var lo = 0u;
  var hi = count;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (sorted[mid] < r) { lo = mid + 1u; } else { hi = mid; }
  }
  var s = 0.0;
  var c = 0.0;
  for (var p = lo; p < count && sorted[p] == r; p = p + 1u) {
    let y = g[sorted[count + p] * rowSize + k] - c;
    let t = s + y;
    c = (t - s) - y;
    s = t;
  }
  out[o] = s;
}
