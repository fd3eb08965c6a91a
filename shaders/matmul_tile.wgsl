// The tiled GEMM core shared by matmul and the three convolution kernels (implicit GEMM):
// for each z (a batch entry, a group, a slice of K) C[z] (M x N) = A[z] (M x K) · B[z] (K x N),
// summed over the K range kRange(z). Operands are read through hooks the kernel splices in, which
// may gather (im2col on the fly, broadcast batch strides); the core calls them in bounds only.
//
// Hooks a kernel defines:
//   fn gemmM() -> u32; fn gemmN() -> u32; fn gemmZ() -> u32; fn kRange(z: u32) -> vec2<u32>
//   struct ARow; fn aRow(z: u32, m: u32) -> ARow;  fn loadA(r: ARow, k: u32) -> f32   (A[z][m, k])
//   struct BCol; fn bCol(z: u32, n: u32) -> BCol;  fn loadB(c: BCol, k: u32) -> f32   (B[z][k, n])
//   fn storeC(z: u32, m: u32, n: u32, v: f32)
// aRow/bCol are evaluated once per tile (row/column index arithmetic hoisted out of the K loop).
//
// A workgroup of 256 threads computes a 64 x 64 tile of C, 4 x 4 per thread, stepping K by 16
// through workgroup memory (8.25 KiB). Sums are blocked (16 products, then 16 such partials, then the
// running total), so a long K does not accumulate in one float32 chain. Tiles and z beyond the
// grid (maxComputeWorkgroupsPerDimension) are covered by grid-stride loops.
HOOKS

// As[k * 17 + i] holds rows 4i..4i+3 of the A tile at depth k (rows padded to 17 against bank
// conflicts when a warp stores a column); Bs[k * 16 + j] columns 4j..4j+3.
var<workgroup> As: array<vec4<f32>, 272>;
var<workgroup> Bs: array<vec4<f32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let M = gemmM();
  let N = gemmN();
  let Z = gemmZ();
  let tilesM = (M + 63u) / 64u;
  let tilesN = (N + 63u) / 64u;
  let tx = lid % 16u;
  let ty = lid / 16u;
  // This thread loads A[m0 + ty + 16r, k0 + tx] and B[k0 + lid / 64 + 4r, n0 + lid % 64], r = 0..3.
  let bn = lid % 64u;
  let bk = lid / 64u;
  for (var z = wid.z; z < Z; z = z + nwg.z) {
    let kr = kRange(z);
    for (var tm = wid.y; tm < tilesM; tm = tm + nwg.y) {
      for (var tn = wid.x; tn < tilesN; tn = tn + nwg.x) {
        let m0 = tm * 64u;
        let n0 = tn * 64u;
        var ar: array<ARow, 4>;
        for (var r = 0u; r < 4u; r = r + 1u) {
          ar[r] = aRow(z, min(m0 + ty + 16u * r, M - 1u));
        }
        let bc = bCol(z, min(n0 + bn, N - 1u));
        let bIn = n0 + bn < N;
        var acc: array<vec4<f32>, 4>;
        var mid: array<vec4<f32>, 4>;
        var steps = 0u;
        for (var k0 = kr.x; k0 < kr.y; k0 = k0 + 16u) {
          for (var r = 0u; r < 4u; r = r + 1u) {
            let am = ty + 16u * r;
            var av = 0.0;
            if (m0 + am < M && k0 + tx < kr.y) { av = loadA(ar[r], k0 + tx); }
            As[tx * 17u + am / 4u][am % 4u] = av;
            let kb = bk + 4u * r;
            var bv = 0.0;
            if (bIn && k0 + kb < kr.y) { bv = loadB(bc, k0 + kb); }
            Bs[kb * 16u + bn / 4u][bn % 4u] = bv;
          }
          workgroupBarrier();
          var part: array<vec4<f32>, 4>;
          for (var k = 0u; k < 16u; k = k + 1u) {
            let a = As[k * 17u + ty];
            let b = Bs[k * 16u + tx];
            part[0] = part[0] + a.x * b;
            part[1] = part[1] + a.y * b;
            part[2] = part[2] + a.z * b;
            part[3] = part[3] + a.w * b;
          }
          workgroupBarrier();
          for (var i = 0u; i < 4u; i = i + 1u) { mid[i] = mid[i] + part[i]; }
          steps = steps + 1u;
          if (steps == 16u) {
            for (var i = 0u; i < 4u; i = i + 1u) {
              acc[i] = acc[i] + mid[i];
              mid[i] = vec4<f32>(0.0);
            }
            steps = 0u;
          }
        }
        for (var i = 0u; i < 4u; i = i + 1u) {
          let m = m0 + ty * 4u + i;
          if (m < M) {
            let v = acc[i] + mid[i];
            for (var j = 0u; j < 4u; j = j + 1u) {
              let n = n0 + tx * 4u + j;
              if (n < N) { storeC(z, m, n, v[j]); }
            }
          }
        }
      }
    }
  }
}
