/**
 * 2-D pooling. Max pooling is split into "gather z at the argmax of x" and its adjoint "scatter g
 * to the argmax of x", so maxpool(x) = gather(x, x) and every derivative of it is one of the two.
 * Average pooling and its adjoint are linear maps.
 */
import type { Buf, PoolGeom } from '../ir';
import type { Shape } from '../shape';

/** Calls visit(outIndex, inIndex) for the argmax cell of every output window (first max wins, as PyTorch). */
function forEachArgmax(x: Buf, xShape: Shape, yShape: Shape, p: PoolGeom, visit: (o: number, i: number) => void): void {
  const [N, C, H, W] = xShape;
  const [OH, OW] = [yShape[2], yShape[3]];
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  const [dh, dw] = p.dilations;
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o++) {
        let best = -1;
        let bestV = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - pt + i * dh;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - pl + j * dw;
            if (iw < 0 || iw >= W) continue;
            const v = x[base + ih * W + iw];
            if (v > bestV || best < 0 || Number.isNaN(v)) {
              bestV = v;
              best = base + ih * W + iw;
            }
          }
        }
        visit(o, best);
      }
    }
  }
}

export function maxpoolGather(x: Buf, xShape: Shape, z: Buf, y: Buf, yShape: Shape, p: PoolGeom): void {
  forEachArgmax(x, xShape, yShape, p, (o, i) => {
    y[o] = i >= 0 ? z[i] : 0;
  });
}

export function maxpoolScatter(x: Buf, xShape: Shape, g: Buf, gShape: Shape, out: Buf, p: PoolGeom): void {
  out.fill(0);
  forEachArgmax(x, xShape, gShape, p, (o, i) => {
    if (i >= 0) out[i] += g[o];
  });
}

/** Visits (outIndex, inIndex, weight) for every cell of every average-pool window. */
function forEachAvgCell(
  xShape: Shape,
  yShape: Shape,
  p: PoolGeom,
  visit: (o: number, i: number, w: number) => void,
): void {
  const [N, C, H, W] = xShape;
  const [OH, OW] = [yShape[2], yShape[3]];
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o++) {
        const h0 = oh * sh - pt;
        const w0 = ow * sw - pl;
        // count_include_pad counts padding cells but never cells past the padded border (ceil_mode).
        const hEnd = Math.min(h0 + kh, H + p.pads[2]);
        const wEnd = Math.min(w0 + kw, W + p.pads[3]);
        const hs = Math.max(h0, 0);
        const ws = Math.max(w0, 0);
        const he = Math.min(h0 + kh, H);
        const we = Math.min(w0 + kw, W);
        const count = p.countIncludePad ? (hEnd - h0) * (wEnd - w0) : (he - hs) * (we - ws);
        const wgt = count > 0 ? 1 / count : 0;
        for (let ih = hs; ih < he; ih++) for (let iw = ws; iw < we; iw++) visit(o, base + ih * W + iw, wgt);
      }
    }
  }
}

export function avgpool(x: Buf, xShape: Shape, y: Buf, yShape: Shape, p: PoolGeom): void {
  const acc = new Float64Array(y.length);
  forEachAvgCell(xShape, yShape, p, (o, i, w) => {
    acc[o] += x[i] * w;
  });
  y.set(acc);
}

export function avgpoolT(g: Buf, gShape: Shape, out: Buf, xShape: Shape, p: PoolGeom): void {
  out.fill(0);
  forEachAvgCell(xShape, gShape, p, (o, i, w) => {
    out[i] += g[o] * w;
  });
}
