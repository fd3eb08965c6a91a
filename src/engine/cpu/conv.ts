/**
 * 2-D convolution (ONNX Conv semantics: cross-correlation, groups, strides, pads, dilations) by
 * im2col + GEMM, and its two adjoints: the input gradient (col2im) and the weight gradient.
 * x [N, C, H, W], w [M, C/g, KH, KW], y [N, M, OH, OW].
 */
import type { Buf, ConvGeom } from '../ir';
import type { Shape } from '../shape';
import { gemm, transposeBlock } from './gemm';

interface Dims {
  N: number;
  C: number;
  H: number;
  W: number;
  M: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  G: number;
  Cg: number;
  Mg: number;
  /** Rows of the column matrix: Cg·KH·KW. */
  R: number;
}

function dims(xShape: Shape, wShape: Shape, yShape: Shape, geom: ConvGeom): Dims {
  const [N, C, H, W] = xShape;
  const [M, Cg, KH, KW] = wShape;
  const G = geom.group;
  return { N, C, H, W, M, KH, KW, OH: yShape[2], OW: yShape[3], G, Cg, Mg: M / G, R: Cg * KH * KW };
}

const scratch: { cols: Float64Array; t: Float64Array } = { cols: new Float64Array(0), t: new Float64Array(0) };
function buffer(name: 'cols' | 't', n: number): Float64Array {
  if (scratch[name].length < n) scratch[name] = new Float64Array(n);
  return scratch[name];
}

/** Fill cols [R, OH·OW] from image n, group g. */
function im2col(x: Buf, d: Dims, geom: ConvGeom, n: number, g: number, cols: Float64Array): void {
  const [sh, sw] = geom.strides;
  const [pt, pl] = geom.pads;
  const [dh, dw] = geom.dilations;
  const P = d.OH * d.OW;
  let r = 0;
  for (let c = 0; c < d.Cg; c++) {
    const xBase = (n * d.C + g * d.Cg + c) * d.H * d.W;
    for (let kh = 0; kh < d.KH; kh++) {
      for (let kw = 0; kw < d.KW; kw++, r++) {
        const row = r * P;
        for (let oh = 0; oh < d.OH; oh++) {
          const ih = oh * sh - pt + kh * dh;
          const o = row + oh * d.OW;
          if (ih < 0 || ih >= d.H) {
            cols.fill(0, o, o + d.OW);
            continue;
          }
          const xr = xBase + ih * d.W;
          for (let ow = 0; ow < d.OW; ow++) {
            const iw = ow * sw - pl + kw * dw;
            cols[o + ow] = iw >= 0 && iw < d.W ? x[xr + iw] : 0;
          }
        }
      }
    }
  }
}

function col2imAdd(cols: Float64Array, d: Dims, geom: ConvGeom, n: number, g: number, dx: Buf): void {
  const [sh, sw] = geom.strides;
  const [pt, pl] = geom.pads;
  const [dh, dw] = geom.dilations;
  const P = d.OH * d.OW;
  let r = 0;
  for (let c = 0; c < d.Cg; c++) {
    const xBase = (n * d.C + g * d.Cg + c) * d.H * d.W;
    for (let kh = 0; kh < d.KH; kh++) {
      for (let kw = 0; kw < d.KW; kw++, r++) {
        const row = r * P;
        for (let oh = 0; oh < d.OH; oh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= d.H) continue;
          const xr = xBase + ih * d.W;
          const o = row + oh * d.OW;
          for (let ow = 0; ow < d.OW; ow++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw >= 0 && iw < d.W) dx[xr + iw] += cols[o + ow];
          }
        }
      }
    }
  }
}

export function conv2d(x: Buf, xShape: Shape, w: Buf, wShape: Shape, y: Buf, yShape: Shape, geom: ConvGeom): void {
  const d = dims(xShape, wShape, yShape, geom);
  const P = d.OH * d.OW;
  const cols = buffer('cols', d.R * P);
  for (let n = 0; n < d.N; n++) {
    for (let g = 0; g < d.G; g++) {
      im2col(x, d, geom, n, g, cols);
      gemm(w, g * d.Mg * d.R, cols, 0, y, (n * d.M + g * d.Mg) * P, d.Mg, P, d.R);
    }
  }
}

/** dx = conv2dᵀ(dy, w): the input gradient (also ONNX ConvTranspose). */
export function conv2dBackInput(
  dy: Buf,
  dyShape: Shape,
  w: Buf,
  wShape: Shape,
  dx: Buf,
  xShape: Shape,
  geom: ConvGeom,
): void {
  const d = dims(xShape, wShape, dyShape, geom);
  const P = d.OH * d.OW;
  const cols = buffer('cols', d.R * P);
  const wT = buffer('t', d.R * d.Mg);
  dx.fill(0);
  for (let g = 0; g < d.G; g++) {
    transposeBlock(w, g * d.Mg * d.R, d.Mg, d.R, wT);
    for (let n = 0; n < d.N; n++) {
      gemm(wT, 0, dy, (n * d.M + g * d.Mg) * P, cols, 0, d.R, P, d.Mg);
      col2imAdd(cols, d, geom, n, g, dx);
    }
  }
}

/** dw = Σ_n dy_n · im2col(x_n)ᵀ: the weight gradient. */
export function conv2dBackWeight(
  x: Buf,
  xShape: Shape,
  dy: Buf,
  dyShape: Shape,
  dw: Buf,
  wShape: Shape,
  geom: ConvGeom,
): void {
  const d = dims(xShape, wShape, dyShape, geom);
  const P = d.OH * d.OW;
  const cols = buffer('cols', d.R * P);
  const colsT = new Float64Array(P * d.R);
  dw.fill(0);
  for (let n = 0; n < d.N; n++) {
    for (let g = 0; g < d.G; g++) {
      im2col(x, d, geom, n, g, cols);
      transposeBlock(cols, 0, d.R, P, colsT);
      gemm(dy, (n * d.M + g * d.Mg) * P, colsT, 0, dw, g * d.Mg * d.R, d.Mg, d.R, P, true);
    }
  }
}
