// The weight gradient of conv as implicit GEMM, split over K for determinism and precision:
// dw[z·Mg + m, r] = Σ_j dy[n, z·Mg + m, p] · x̂[r, j] over j = (n, p) in N·OH·OW, r = (c, kh, kw).
// Grid z = group · slices + slice; slice s sums j in [s·L, (s+1)·L) and writes its partial to
// part[s·O·R + (g·Mg + m)·R + r] (the output itself when there is one slice); conv_weight_sum.wgsl
// then adds the slices pairwise in a fixed order.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;

GEOM

fn kRange(z: u32) -> vec2<u32> {
  let s = z % u(4u);
  return vec2<u32>(s * u(5u), min((s + 1u) * u(5u), u(3u)));
}

// Row m of group g: the offset of dy[0, g·Mg + m, 0, 0].
struct ARow { off: u32 }
fn aRow(z: u32, m: u32) -> ARow { return ARow((z / u(4u) * cMg() + m) * cOH() * cOW()); }
fn loadA(r: ARow, j: u32) -> f32 {
  let P = cOH() * cOW();
  let n = j / P;
  return dy[r.off + n * cO() * P + (j - n * P)];
}

// Column r = (c, kh, kw): the offset of x[0, g·Cg + c, 0, 0] and the tap's displacement.
struct BCol { base: u32, dh: i32, dw: i32 }
fn bCol(z: u32, r: u32) -> BCol {
  let taps = cKH() * cKW();
  let c = r / taps;
  let t = r - c * taps;
  let kh = t / cKW();
  let kw = t - kh * cKW();
  return BCol((z / u(4u) * cCg() + c) * cH() * cW(), i32(kh) * cDH() - cPT(), i32(kw) * cDW() - cPL());
}
fn loadB(b: BCol, j: u32) -> f32 {
  let P = cOH() * cOW();
  let n = j / P;
  let p = j - n * P;
  let oh = p / cOW();
  let ow = p - oh * cOW();
  let ih = i32(oh) * cSH() + b.dh;
  let iw = i32(ow) * cSW() + b.dw;
  if (ih < 0 || iw < 0 || ih >= i32(cH()) || iw >= i32(cW())) { return 0.0; }
  return x[b.base + n * cC() * cH() * cW() + u32(ih) * cW() + u32(iw)];
}

fn storeC(z: u32, m: u32, r: u32, v: f32) {
  let R = gemmN();
  let s = z % u(4u);
  let g = z / u(4u);
  part[s * cO() * R + (g * cMg() + m) * R + r] = v;
}
