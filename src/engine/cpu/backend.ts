/**
 * The CPU backend: host memory is the device, so a device array is a typed array that plans bind by
 * reference (no copy per mini-batch), and running sums are float64 arrays.
 */
import type { Backend, DeviceArray, DType } from '../backend';
import type { Buf } from '../ir';
import { CpuPlan } from './plan';

export class CpuArray implements DeviceArray {
  readonly data: Buf;
  constructor(
    readonly length: number,
    readonly dtype: DType,
  ) {
    this.data = dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  }
  write(data: ArrayLike<number>): void {
    if (data.length !== this.length)
      throw new Error(`a device array of ${this.length} values was written with ${data.length}`);
    this.data.set(data);
  }
  dispose(): void {}
}

export const cpuBackend: Backend = {
  name: 'cpu',
  description: 'cpu',
  dtypes: ['float32', 'float64'],
  createArray: (length, dtype) => new CpuArray(length, dtype),
  compile: async (graph, outputs, dtype) => new CpuPlan(graph, outputs, dtype),
  dispose: () => {},
};
