/**
 * The WebAssembly SIMD GEMM (wasm/gemm.c): float32 products, float64 accumulation across K blocks.
 * Operands are staged in the module's memory; `stage` hands out views so callers (im2col) can
 * write straight into them.
 */
import { gemmWasmBase64 } from './wasm/gemm-wasm';

const MR = 4;
const NR = 8;
const KB = 256;
/** The module's own stack and data live below this offset. */
const HEAP_BASE = 1 << 20;

type GemmFn = (
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  acc: number,
  accBuf: number,
  packA: number,
  packB: number,
) => void;
type ColFn = (src: number, dst: number, ...args: Im2colArgs) => void;

/** Convolution geometry for one image and group, as the C kernels take it. */
export type Im2colArgs = [
  Cg: number,
  H: number,
  W: number,
  KH: number,
  KW: number,
  OH: number,
  OW: number,
  sh: number,
  sw: number,
  pt: number,
  pl: number,
  dh: number,
  dw: number,
];

export interface StagedGemm {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  /** One image (Cg×H×W) for im2col / col2im. */
  img: Float32Array;
  /** b = im2col(img) */
  im2colToB(args: Im2colArgs): void;
  /** img += col2im(c) */
  col2imFromC(args: Im2colArgs): void;
  /** c = [c +] op(a)·op(b); a transposed is stored K×M, b transposed N×K. */
  run(accumulate: boolean, transA?: boolean, transB?: boolean): void;
}

const align = (n: number) => (n + 63) & ~63;

/** The slice of the WebAssembly JS API used here (the engine's tsconfig has no DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

class WasmGemm {
  private readonly memory = new WA.Memory({ initial: 32 });
  private readonly fn: GemmFn;
  private readonly im2col: ColFn;
  private readonly col2im: ColFn;

  constructor() {
    const bytes = Uint8Array.from(atob(gemmWasmBase64), (ch) => ch.charCodeAt(0));
    const instance = new WA.Instance(new WA.Module(bytes), { env: { memory: this.memory } });
    this.fn = instance.exports.gemm as GemmFn;
    this.im2col = instance.exports.im2col as ColFn;
    this.col2im = instance.exports.col2im as ColFn;
  }

  stage(M: number, N: number, K: number, imageFloats = 0): StagedGemm {
    const aOff = HEAP_BASE;
    const bOff = aOff + align(M * K * 4);
    const cOff = bOff + align(K * N * 4);
    const accOff = cOff + align(M * N * 4);
    const packAOff = accOff + align(M * N * 8);
    const packBOff = packAOff + align(Math.min(K, KB) * MR * 4);
    const imgOff = packBOff + align(Math.min(K, KB) * Math.ceil(N / NR) * NR * 4);
    const end = imgOff + align(imageFloats * 4);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    const buf = this.memory.buffer;
    return {
      a: new Float32Array(buf, aOff, M * K),
      b: new Float32Array(buf, bOff, K * N),
      c: new Float32Array(buf, cOff, M * N),
      img: new Float32Array(buf, imgOff, imageFloats),
      im2colToB: (args) => this.im2col(imgOff, bOff, ...args),
      col2imFromC: (args) => this.col2im(cOff, imgOff, ...args),
      run: (accumulate, transA = false, transB = false) =>
        this.fn(
          aOff,
          bOff,
          cOff,
          M,
          N,
          K,
          (accumulate ? 1 : 0) | (transA ? 2 : 0) | (transB ? 4 : 0),
          accOff,
          packAOff,
          packBOff,
        ),
    };
  }
}

let instance: WasmGemm | null = null;
export function wasmGemm(): WasmGemm {
  if (!instance) instance = new WasmGemm();
  return instance;
}
