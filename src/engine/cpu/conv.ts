/**
 * 2-D convolution (ONNX Conv semantics: cross-correlation, groups, strides, pads, dilations) by
 * im2col + GEMM, and its two adjoints: the input gradient (col2im) and the weight gradient.
 * x [N, C, H, W], w [M, C/g, KH, KW], y [N, M, OH, OW].
 */
import type { Buf, ConvGeom } from '../ir';
import type { Shape } from '../shape';
import { gemm } from './gemm';
import { nativeKernels } from './native';
import { type Im2colArgs, wasmGemm } from './wasm-gemm';

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

/** The column matrix of the float64 (reference) path, grown on demand and reused. */
let colsScratch = new Float64Array(0);
function buffer(_like: Buf, _name: 'cols', n: number): Buf {
  if (colsScratch.length < n) colsScratch = new Float64Array(n);
  return colsScratch;
}

/** Fill cols [R, OH·OW] from image n, group g. */
function im2col(x: Buf, d: Dims, geom: ConvGeom, n: number, g: number, cols: Buf): void {
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
          const xr = xBase + ih * d.W - pl + kw * dw;
          // Output columns whose input column lies inside the image: [lo, hi).
          const lo = Math.min(d.OW, Math.max(0, Math.ceil((pl - kw * dw) / sw)));
          const hi = Math.max(lo, Math.min(d.OW, Math.ceil((d.W + pl - kw * dw) / sw)));
          for (let ow = 0; ow < lo; ow++) cols[o + ow] = 0;
          if (sw === 1) for (let ow = lo; ow < hi; ow++) cols[o + ow] = x[xr + ow];
          else for (let ow = lo; ow < hi; ow++) cols[o + ow] = x[xr + ow * sw];
          for (let ow = hi; ow < d.OW; ow++) cols[o + ow] = 0;
        }
      }
    }
  }
}

function col2imAdd(cols: Buf, d: Dims, geom: ConvGeom, n: number, g: number, dx: Buf): void {
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

function colArgs(d: Dims, geom: ConvGeom): Im2colArgs {
  return [
    d.Cg,
    d.H,
    d.W,
    d.KH,
    d.KW,
    d.OH,
    d.OW,
    geom.strides[0],
    geom.strides[1],
    geom.pads[0],
    geom.pads[1],
    geom.dilations[0],
    geom.dilations[1],
  ];
}

/** Whether this call can run on the WebAssembly kernel with operands staged in its memory. */
const staged = (...bufs: Buf[]) => bufs.every((b) => b instanceof Float32Array);

/** Run on the native kernels when they are installed and the operands are float32. */
function viaNative(kind: 0 | 1 | 2, a: Buf, b: Buf, out: Buf, d: Dims, geom: ConvGeom): boolean {
  const native = nativeKernels();
  if (!native || !(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) return false;
  const [sh, sw] = geom.strides;
  const [pt, pl] = geom.pads;
  const [dh, dw] = geom.dilations;
  native.conv(kind, a, b, out, d.N, d.C, d.H, d.W, d.M, d.KH, d.KW, d.OH, d.OW, d.G, sh, sw, pt, pl, dh, dw);
  return true;
}

export function conv2d(x: Buf, xShape: Shape, w: Buf, wShape: Shape, y: Buf, yShape: Shape, geom: ConvGeom): void {
  const d = dims(xShape, wShape, yShape, geom);
  const P = d.OH * d.OW;
  if (viaNative(0, x, w, y, d, geom)) return;
  if (staged(x, w, y)) {
    const img = d.Cg * d.H * d.W;
    const s = wasmGemm().stage(d.Mg, P, d.R, img);
    const args = colArgs(d, geom);
    for (let g = 0; g < d.G; g++) {
      s.a.set(w.subarray(g * d.Mg * d.R, (g + 1) * d.Mg * d.R));
      for (let n = 0; n < d.N; n++) {
        const xOff = (n * d.C + g * d.Cg) * d.H * d.W;
        s.img.set(x.subarray(xOff, xOff + img));
        s.im2colToB(args);
        s.run(false);
        y.set(s.c, (n * d.M + g * d.Mg) * P);
      }
    }
    return;
  }
  const cols = buffer(y, 'cols', d.R * P);
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
  if (viaNative(1, dy, w, dx, d, geom)) return;
  dx.fill(0);
  if (staged(dy, w, dx)) {
    const img = d.Cg * d.H * d.W;
    const s = wasmGemm().stage(d.R, P, d.Mg, img);
    const args = colArgs(d, geom);
    for (let g = 0; g < d.G; g++) {
      s.a.set(w.subarray(g * d.Mg * d.R, (g + 1) * d.Mg * d.R));
      for (let n = 0; n < d.N; n++) {
        const off = (n * d.M + g * d.Mg) * P;
        s.b.set(dy.subarray(off, off + d.Mg * P));
        // cols (R×P) = w_gᵀ (R×Mg) · dy_n,g (Mg×P), then scattered back onto the image.
        s.run(false, true);
        s.img.fill(0);
        s.col2imFromC(args);
        dx.set(s.img, (n * d.C + g * d.Cg) * d.H * d.W);
      }
    }
    return;
  }
  const cols = buffer(dx, 'cols', d.R * P);
  for (let g = 0; g < d.G; g++) {
    for (let n = 0; n < d.N; n++) {
      gemm(w, g * d.Mg * d.R, dy, (n * d.M + g * d.Mg) * P, cols, 0, d.R, P, d.Mg, false, true);
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
  if (viaNative(2, x, dy, dw, d, geom)) return;
  if (staged(x, dy, dw)) {
    const img = d.Cg * d.H * d.W;
    const s = wasmGemm().stage(d.Mg, d.R, P, img);
    const args = colArgs(d, geom);
    for (let g = 0; g < d.G; g++) {
      for (let n = 0; n < d.N; n++) {
        const off = (n * d.M + g * d.Mg) * P;
        const xOff = (n * d.C + g * d.Cg) * d.H * d.W;
        s.a.set(dy.subarray(off, off + d.Mg * P));
        s.img.set(x.subarray(xOff, xOff + img));
        s.im2colToB(args);
        // dw_g (Mg×R) [+]= dy_n,g (Mg×P) · colsᵀ (P×R); the sum over images stays in the staged C.
        s.run(n > 0, false, true);
      }
      dw.set(s.c, g * d.Mg * d.R);
    }
    return;
  }
  const cols = buffer(dw, 'cols', d.R * P);
  for (let n = 0; n < d.N; n++) {
    for (let g = 0; g < d.G; g++) {
      im2col(x, d, geom, n, g, cols);
      gemm(dy, (n * d.M + g * d.Mg) * P, cols, 0, dw, g * d.Mg * d.R, d.Mg, d.R, P, n > 0, false, true);
    }
  }
}
