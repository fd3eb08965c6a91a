// Batched matmul hooks for the GEMM core (matmul_tile.wgsl): out[p] = a[p] · b[p] with NumPy
// broadcasting of the batch axes (a stride of 0 where an operand is broadcast).
// U: [M, N, batch, K, rank, 0, 0, 0, batchShape[8], aStride[8], bStride[8]] (strides in matrices).
@group(0) @binding(0) var<storage, read> a_: array<f32>;
@group(0) @binding(1) var<storage, read> b_: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn gemmM() -> u32 { return u(0u); }
fn gemmN() -> u32 { return u(1u); }
fn gemmZ() -> u32 { return u(2u); }
fn kRange(z: u32) -> vec2<u32> { return vec2<u32>(0u, u(3u)); }

// The matrix offsets of batch entry z in a (x) and b (y).
fn batchOffsets(z: u32) -> vec2<u32> {
  var rest = z;
  var off = vec2<u32>(0u);
  for (var d = i32(u(4u)) - 1; d >= 0; d = d - 1) {
    let dim = u(8u + u32(d));
    let i = rest % dim;
    rest = rest / dim;
    off = off + i * vec2<u32>(u(16u + u32(d)), u(24u + u32(d)));
  }
  return off;
}

struct ARow { off: u32 }
fn aRow(z: u32, m: u32) -> ARow {
  let K = u(3u);
  return ARow(batchOffsets(z).x * u(0u) * K + m * K);
}
fn loadA(r: ARow, k: u32) -> f32 { return a_[r.off + k]; }

struct BCol { off: u32 }
fn bCol(z: u32, n: u32) -> BCol {
  return BCol(batchOffsets(z).y * u(3u) * u(1u) + n);
}
fn loadB(c: BCol, k: u32) -> f32 { return b_[c.off + k * u(1u)]; }

fn storeC(z: u32, m: u32, n: u32, v: f32) { out[(z * u(0u) + m) * u(1u) + n] = v; }
