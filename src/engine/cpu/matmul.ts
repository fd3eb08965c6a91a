/** Batched matmul with NumPy broadcasting of the batch axes: a [..., M, K] · b [..., K, N]. */
import type { Buf } from '../ir';
import { broadcastStrides, type Shape, size } from '../shape';
import { gemm } from './gemm';

export function matmul(a: Buf, aShape: Shape, b: Buf, bShape: Shape, out: Buf, outShape: Shape): void {
  const M = aShape[aShape.length - 2];
  const K = aShape[aShape.length - 1];
  const N = bShape[bShape.length - 1];
  const batchShape = outShape.slice(0, -2);
  const batch = size(batchShape);
  const aStr = broadcastStrides(aShape.slice(0, -2), batchShape);
  const bStr = broadcastStrides(bShape.slice(0, -2), batchShape);
  const idx = new Array<number>(batchShape.length).fill(0);
  for (let p = 0; p < batch; p++) {
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < idx.length; d++) {
      ao += idx[d] * aStr[d];
      bo += idx[d] * bStr[d];
    }
    gemm(a, ao * M * K, b, bo * K * N, out, p * M * N, M, N, K);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < batchShape[d]) break;
      idx[d] = 0;
    }
  }
}
