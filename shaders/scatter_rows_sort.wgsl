// scatterRows, pass 1: a stable counting sort of the run-time row indices. Each index i gets the key
// r_i (its row, negative indices counted from the end; `rows` for an invalid index: not an integer
// in [-rows, rows)) and lands at position #{j : (r_j, j) < (r_i, i)}, so equal rows keep the order
// of i and the result does not depend on thread timing. The indices are streamed through
// workgroup memory 256 at a time: O(count²) comparisons, cheap for the index counts of a batch.
// sorted: [keys (count), sources (count)]. U: [count, rows]
@group(0) @binding(0) var<storage, read> idx: array<f32>;
@group(0) @binding(1) var<storage, read_write> sorted: array<u32>;

var<workgroup> keys: array<u32, 256>;

fn keyOf(v: f32, rows: u32) -> u32 {
  let R = f32(rows);
  if (!(v == floor(v) && v >= -R && v < R)) { return rows; }
  return u32(select(v, v + R, v < 0.0));
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, nwg, lid, 256u);
  let n = u(0u);
  let rows = u(1u);
  let mine = i < n;
  var key = 0u;
  if (mine) { key = keyOf(idx[i], rows); }
  var pos = 0u;
  let tiles = (n + 255u) / 256u;
  for (var t = 0u; t < tiles; t = t + 1u) {
    let j = t * 256u + lid;
    keys[lid] = select(0xffffffffu, keyOf(idx[min(j, n - 1u)], rows), j < n);
    workgroupBarrier();
    let len = min(256u, n - t * 256u);
    for (var q = 0u; q < len; q = q + 1u) {
      let kj = keys[q];
      let jj = t * 256u + q;
      pos = pos + select(0u, 1u, kj < key || (kj == key && jj < i));
    }
    workgroupBarrier();
  }
  if (mine) {
    sorted[pos] = key;
    sorted[n + pos] = i;
  }
}
