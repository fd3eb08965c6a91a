// Conv as implicit GEMM per group z: y[n, z·Mg + m, p] = Σ_k w[z·Mg + m, k] · x̂[k, (n, p)], with
// k = (c, kh, kw) over Cg·KH·KW and x̂ the im2col matrix gathered on the fly (zero in the pads).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

GEOM

fn kRange(z: u32) -> vec2<u32> { return vec2<u32>(0u, u(3u)); }

struct ARow { off: u32 }
fn aRow(z: u32, m: u32) -> ARow { return ARow((z * cMg() + m) * u(3u)); }
fn loadA(r: ARow, k: u32) -> f32 { return w[r.off + k]; }

// Column (n, oh, ow): the offset of image n's first channel of group z, and the top-left tap.
struct BCol { base: u32, ih0: i32, iw0: i32 }
fn bCol(z: u32, col: u32) -> BCol {
  let P = cOH() * cOW();
  let n = col / P;
  let p = col - n * P;
  let oh = p / cOW();
  let ow = p - oh * cOW();
  return BCol((n * cC() + z * cCg()) * cH() * cW(), i32(oh) * cSH() - cPT(), i32(ow) * cSW() - cPL());
}
fn loadB(b: BCol, k: u32) -> f32 {
  let taps = cKH() * cKW();
  let c = k / taps;
  let t = k - c * taps;
  let kh = t / cKW();
  let kw = t - kh * cKW();
  let ih = b.ih0 + i32(kh) * cDH();
  let iw = b.iw0 + i32(kw) * cDW();
  if (ih < 0 || iw < 0 || ih >= i32(cH()) || iw >= i32(cW())) { return 0.0; }
  return x[b.base + (c * cH() + u32(ih)) * cW() + u32(iw)];
}

fn storeC(z: u32, m: u32, col: u32, v: f32) {
  let P = cOH() * cOW();
  let n = col / P;
  let p = col - n * P;
  y[((n * cO() + z * cMg() + m) * P) + p] = v;
}
