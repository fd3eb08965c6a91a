// The input adjoint of conv (also ONNX ConvTranspose) as a gather, implicit GEMM per group and
// stride phase: dx[n, g·Cg + c, ih, iw] = Σ_{m, kh, kw} w[g·Mg + m, c, kh, kw] · dy[n, g·Mg + m, oh, ow]
// over the taps with ih + pt - kh·dh = oh·sh and iw + pl - kw·dw = ow·sw inside dy. The input pixels
// are split by phase (ih mod sh, iw mod sw): within one phase the taps that divide evenly are fixed
// (tables), so K = Mg · nkh · nkw holds no zero taps. No atomics; every sum in a fixed order.
// Grid z = g · phases + q; rows c (Cg); columns (n, a, b) with ih = ph + a·sh, iw = pw + b·sw over
// ceil(H/sh) × ceil(W/sw) (those past the image are skipped).
// U (beyond conv_geom.wgsl): [4] phases, [5] ceil(H/sh), [6] ceil(W/sw);
//   per phase q at 32 + 4q: [nkh, nkw, offset of its kh list in tbl, offset of its kw list].
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<storage, read> tbl: array<i32>;

GEOM

fn phaseOf(z: u32) -> u32 { return z % u(4u); }
fn kRange(z: u32) -> vec2<u32> {
  let q = 32u + 4u * phaseOf(z);
  return vec2<u32>(0u, cMg() * u(q) * u(q + 1u));
}

// The phase's taps: k = (m, i, j) over Mg × nkh × nkw, kh = tbl[kh0 + i], kw = tbl[kw0 + j].
struct Taps { nkw: u32, nk: u32, kh0: u32, kw0: u32 }
fn tapsOf(z: u32) -> Taps {
  let q = 32u + 4u * phaseOf(z);
  return Taps(u(q + 1u), u(q) * u(q + 1u), u(q + 2u), u(q + 3u));
}
// (m, kh, kw) of k.
fn tap(t: Taps, k: u32) -> vec3<u32> {
  let m = k / t.nk;
  let r = k - m * t.nk;
  let i = r / t.nkw;
  let j = r - i * t.nkw;
  return vec3<u32>(m, u32(tbl[t.kh0 + i]), u32(tbl[t.kw0 + j]));
}

// Row c: the offset of w[g·Mg, c, 0, 0]; filter m is Cg·KH·KW further.
struct ARow { off: u32, t: Taps }
fn aRow(z: u32, c: u32) -> ARow {
  let g = z / u(4u);
  return ARow((g * cMg() * cCg() + c) * cKH() * cKW(), tapsOf(z));
}
fn loadA(r: ARow, k: u32) -> f32 {
  let t = tap(r.t, k);
  return w[r.off + (t.x * cCg() * cKH() + t.y) * cKW() + t.z];
}

// Column (n, a, b): the offset of dy[n, g·Mg, 0, 0] and the padded input position.
struct BCol { base: u32, ih: i32, iw: i32, inside: bool, t: Taps }
fn pixelOf(z: u32, col: u32) -> vec3<u32> {
  let q = phaseOf(z);
  let sw = u32(cSW());
  let HQ = u(5u);
  let WQ = u(6u);
  let n = col / (HQ * WQ);
  let r = col - n * HQ * WQ;
  let a = r / WQ;
  let b = r - a * WQ;
  return vec3<u32>(n, q / sw + a * u32(cSH()), q % sw + b * sw);
}
fn bCol(z: u32, col: u32) -> BCol {
  let p = pixelOf(z, col);
  let inside = p.y < cH() && p.z < cW();
  let g = z / u(4u);
  return BCol((p.x * cO() + g * cMg()) * cOH() * cOW(), i32(p.y) + cPT(), i32(p.z) + cPL(), inside, tapsOf(z));
}
fn loadB(b: BCol, k: u32) -> f32 {
  if (!b.inside) { return 0.0; }
  let t = tap(b.t, k);
  // Exact divisions: the phase's taps make both numerators multiples of the strides.
  let oh = (b.ih - i32(t.y) * cDH()) / cSH();
  let ow = (b.iw - i32(t.z) * cDW()) / cSW();
  if (oh < 0 || ow < 0 || oh >= i32(cOH()) || ow >= i32(cOW())) { return 0.0; }
  return dy[b.base + (t.x * cOH() + u32(oh)) * cOW() + u32(ow)];
}

fn storeC(z: u32, c: u32, col: u32, v: f32) {
  let p = pixelOf(z, col);
  if (p.y >= cH() || p.z >= cW()) { return; }
  let g = z / u(4u);
  dx[((p.x * cC() + g * cCg() + c) * cH() + p.y) * cW() + p.z] = v;
}
