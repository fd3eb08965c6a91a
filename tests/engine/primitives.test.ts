import { describe, it } from 'vitest';
import type { Graph, V } from '../../src/engine/graph';
import { checkDerivatives, rng } from './derivatives';

const r = rng(7);
const data = (n: number) => Array.from({ length: n }, () => r() * 2);
/** A nonlinear scalar read-out so second derivatives are not trivially zero. */
const readout = (g: Graph, x: V) => g.sumAll(g.mul(g.unary('tanh', x), g.unary('sin', x)));

describe('first and second derivatives of each primitive (float64 finite differences)', () => {
  const unaryOps = ['neg', 'exp', 'tanh', 'sigmoid', 'erf', 'sin', 'cos'] as const;
  it.each(unaryOps)('%s', (op) => {
    checkDerivatives({ params: [{ shape: [3, 4] }], build: (g, [p]) => readout(g, g.unary(op, p)) });
  });

  it('log, sqrt (positive domain)', () => {
    for (const op of ['log', 'sqrt'] as const) {
      checkDerivatives({
        params: [{ shape: [5], init: (i) => 0.5 + i * 0.3 }],
        build: (g, [p]) => readout(g, g.unary(op, p)),
      });
    }
  });

  it('abs and relu away from the kink', () => {
    for (const op of ['abs', 'relu'] as const) {
      checkDerivatives({
        params: [{ shape: [6], init: (i) => (i % 2 ? 0.7 : -0.4) * (1 + i / 10) }],
        build: (g, [p]) => readout(g, g.mul(g.unary(op, p), p)),
      });
    }
  });

  const binaryOps = ['add', 'sub', 'mul', 'div', 'max', 'min'] as const;
  it.each(binaryOps)('%s with broadcasting', (op) => {
    checkDerivatives({
      params: [{ shape: [2, 3, 4] }, { shape: [3, 1], init: (i) => 1.5 + i * 0.25 }],
      build: (g, [a, b]) => readout(g, g.binary(op, a, b)),
    });
  });

  it('pow in both arguments', () => {
    checkDerivatives({
      params: [
        { shape: [4], init: (i) => 0.5 + 0.2 * i },
        { shape: [4], init: (i) => 1.2 + 0.3 * i },
      ],
      build: (g, [a, b]) => readout(g, g.binary('pow', a, b)),
    });
  });

  it('where', () => {
    const cond = [1, 0, 1, 1, 0, 0];
    checkDerivatives({
      params: [{ shape: [6] }, { shape: [1] }],
      inputs: { c: { shape: [6], data: cond } },
      build: (g, [a, b], { c }) => readout(g, g.where(c, g.mul(a, a), b)),
    });
  });

  it('sum, rmax, expand, reshape, transpose', () => {
    checkDerivatives({
      params: [{ shape: [2, 3, 4] }],
      build: (g, [p]) => {
        const s = g.sum(g.mul(p, p), [1]);
        const m = g.rmax(p, [2]);
        const t = g.transpose(p, [2, 0, 1]);
        const e = g.expand(s, [2, 3, 4]);
        return g.addV(g.addV(readout(g, g.mul(e, p)), readout(g, m)), readout(g, g.reshape(t, [4, 6])));
      },
    });
  });

  it('concat and slices', () => {
    checkDerivatives({
      params: [{ shape: [2, 3] }, { shape: [2, 2] }],
      build: (g, [a, b]) => readout(g, g.concat([a, g.mul(b, b), a], 1)),
    });
  });

  it('matmul with batch broadcasting', () => {
    checkDerivatives({
      params: [{ shape: [2, 3, 4] }, { shape: [4, 5] }],
      build: (g, [a, b]) => readout(g, g.matmul(a, b)),
    });
  });

  it('conv with strides, pads, dilations and groups', () => {
    const conv = {
      strides: [2, 1] as [number, number],
      pads: [1, 0, 1, 2] as [number, number, number, number],
      dilations: [1, 2] as [number, number],
      group: 2,
    };
    checkDerivatives({
      params: [{ shape: [2, 4, 5, 6] }, { shape: [6, 2, 3, 2] }],
      build: (g, [x, w]) => readout(g, g.conv(x, w, conv)),
    });
  });

  it('max and average pooling', () => {
    const pool = {
      kernel: [2, 3] as [number, number],
      strides: [2, 1] as [number, number],
      pads: [0, 1, 1, 1] as [number, number, number, number],
      dilations: [1, 1] as [number, number],
      countIncludePad: false,
    };
    checkDerivatives({
      params: [{ shape: [1, 2, 5, 5] }],
      build: (g, [x]) =>
        g.addV(readout(g, g.maxpool(g.mul(x, x), pool)), readout(g, g.avgpool(x, { ...pool, countIncludePad: true }))),
    });
  });

  it('gatherRows (embedding)', () => {
    checkDerivatives({
      params: [{ shape: [5, 3] }],
      inputs: { idx: { shape: [2, 3], data: [0, 4, 2, 2, 1, 4] } },
      build: (g, [t], { idx }) => readout(g, g.add('gatherRows', [t, idx])),
    });
  });

  it('data independent of parameters in a long chain', () => {
    checkDerivatives({
      params: [{ shape: [3, 3] }, { shape: [3] }],
      inputs: { x: { shape: [4, 3], data: data(12) } },
      build: (g, [w, b], { x }) => {
        let h = x;
        for (let k = 0; k < 3; k++) h = g.unary('tanh', g.addV(g.matmul(h, w), b));
        return g.sumAll(g.mul(h, h));
      },
    });
  });
});
