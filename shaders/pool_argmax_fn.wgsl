// argmaxOf for the max-pool shaders that bind x as X (substituted for POOL_ARGMAX by pool.ts).
// The flat input index of the max of x in output window o (first max wins; a NaN is taken, as
// cpu/pool.ts does), or -1 for a window entirely in the padding.
fn argmaxOf(o: u32, G: Geom) -> i32 {
  let ow = i32(o % u32(G.OW));
  let oh = i32((o / u32(G.OW)) % u32(G.OH));
  let nc = o / u32(G.OW * G.OH);
  let base = i32(nc) * G.H * G.W;
  var best = -1;
  var bestV = 0.0;
  for (var i = 0; i < G.kh; i = i + 1) {
    let ih = oh * G.sh - G.pt + i * G.dh;
    if (ih < 0 || ih >= G.H) { continue; }
    for (var j = 0; j < G.kw; j = j + 1) {
      let iw = ow * G.sw - G.pl + j * G.dw;
      if (iw < 0 || iw >= G.W) { continue; }
      let at = base + ih * G.W + iw;
      let v = X[at];
      if (best < 0 || v > bestV || v != v) {
        bestV = v;
        best = at;
      }
    }
  }
  return best;
}
