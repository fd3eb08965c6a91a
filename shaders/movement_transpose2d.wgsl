// Batched transpose of the last two axes through a 32x32 tile in workgroup memory, so that both the
// reads and the writes are coalesced: out[b, c, r] = x[b, r, c]. A workgroup of 32x8 threads moves
// one tile (4 rows per thread). Workgroup y is (batch b mod perY, tile row), z the batch / perY.
// U: [rows, cols, batch, tilesY, perY]
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<array<f32, 33>, 32>;

@compute @workgroup_size(32, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let rows = u(0u);
  let cols = u(1u);
  let tilesY = u(3u);
  let b = wid.z * u(4u) + wid.y / tilesY;
  let ty = wid.y % tilesY;
  let base = b * rows * cols;
  let r0 = ty * 32u;
  let c0 = wid.x * 32u;
  let inBatch = b < u(2u);
  for (var k = 0u; k < 32u; k = k + 8u) {
    let r = r0 + lid.y + k;
    let c = c0 + lid.x;
    if (inBatch && r < rows && c < cols) { tile[lid.y + k][lid.x] = x[base + r * cols + c]; }
  }
  workgroupBarrier();
  for (var k = 0u; k < 32u; k = k + 8u) {
    let c = c0 + lid.y + k;
    let r = r0 + lid.x;
    if (inBatch && r < rows && c < cols) { out[base + c * rows + r] = tile[lid.x][lid.y + k]; }
  }
}
