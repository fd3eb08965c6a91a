// Pooling geometry shared by the pool shaders (substituted for POOL_COMMON by pool.ts).
// U: [n, N*C, H, W, OH, OW, kh, kw, sh, sw, pt, pl, dh, dw, pb, pr, countIncludePad]
struct Geom { H: i32, W: i32, OH: i32, OW: i32, kh: i32, kw: i32, sh: i32, sw: i32,
              pt: i32, pl: i32, dh: i32, dw: i32, pb: i32, pr: i32 }

fn geom() -> Geom {
  return Geom(i32(u(2u)), i32(u(3u)), i32(u(4u)), i32(u(5u)), i32(u(6u)), i32(u(7u)), i32(u(8u)),
              i32(u(9u)), i32(u(10u)), i32(u(11u)), i32(u(12u)), i32(u(13u)), i32(u(14u)), i32(u(15u)));
}

// The average-pool window o: its first/last (exclusive) rows and columns inside x, and the weight
// 1/count of each of its cells (count_include_pad counts padding but never cells past the padded
// border, as ceil_mode leaves them), exactly as forEachAvgCell in cpu/pool.ts.
struct Window { hs: i32, he: i32, ws: i32, we: i32, w: f32 }

fn avgWindow(oh: i32, ow: i32, G: Geom) -> Window {
  let h0 = oh * G.sh - G.pt;
  let w0 = ow * G.sw - G.pl;
  let hEnd = min(h0 + G.kh, G.H + G.pb);
  let wEnd = min(w0 + G.kw, G.W + G.pr);
  let hs = max(h0, 0);
  let ws = max(w0, 0);
  let he = min(h0 + G.kh, G.H);
  let we = min(w0 + G.kw, G.W);
  var count = (he - hs) * (we - ws);
  if (u(16u) != 0u) { count = (hEnd - h0) * (wEnd - w0); }
  return Window(hs, he, ws, we, select(0.0, 1.0 / f32(count), count > 0));
}
