/** Comparing runs (renderer/src/views/compare/compare-model.ts): the table, differences, CSV, one colour scale. */
import { describe, expect, it } from 'vitest';
import {
  comparisonCsv,
  comparisonRows,
  differing,
  lossColour,
  sharedDomain,
} from '../renderer/src/views/compare/compare-model';
import type { RunView } from '../src/api/contract';

function view(id: string, results: Record<string, unknown>, grids: RunView['grids'] = []): RunView {
  return {
    run: {
      id,
      name: id,
      kind: 'hessian',
      state: 'finished',
      createdAt: '',
      seconds: 1,
      error: null,
      options: {},
      model: null,
      data: null,
      weights: null,
      version: '',
      host: '',
    },
    results,
    grids,
    eigenvectors: [],
  };
}

const spectrum = (top: number[], trace: number, re: number) => ({
  topEigenvalues: top,
  bottomEigenvalues: [-0.5],
  trace: { estimate: trace, stderr: 0.1 },
  criteria: {
    re: { mean: re, std: 0 },
    ct: { mean: -re, std: 0 },
    kh: { n: 0.5, mean: null, std: null },
    hesdType: 'MP',
  },
});

describe('comparing runs', () => {
  it('puts every quantity in one table with each run minus the first', () => {
    const a = view('a', { loss: { loss: 0.5, accuracy: 0.9 }, spectrum: spectrum([2, 1], 10, 0.25) });
    const b = view('b', { loss: { loss: 0.25, accuracy: 0.9 }, spectrum: spectrum([3], 10, 0.5) });
    const rows = comparisonRows([a, b]);
    const get = (q: string) => rows.find((r) => r.quantity === q);
    expect(rows.map((r) => r.quantity)).toEqual(['loss', 'accuracy', 'λ1', 'λ2', 'λmin', 'trace', 're', 'Kh', 'Ct']);
    expect(get('loss')).toEqual({ quantity: 'loss', values: [0.5, 0.25], deltas: [0, -0.25] });
    expect(get('λ1')?.deltas).toEqual([0, 1]);
    // b has no λ2; Kh is undefined in both: no difference to show.
    expect(get('λ2')).toEqual({ quantity: 'λ2', values: [1, null], deltas: [0, null] });
    expect(get('Kh')?.deltas).toEqual([null, null]);
    expect(differing(rows).map((r) => r.quantity)).toEqual(['loss', 'λ1', 'λ2', 're', 'Ct']);
    expect(comparisonCsv(differing(rows).slice(0, 2), ['run a', 'run, b'])).toBe(
      'quantity,run a,"run, b","run, b − run a"\r\nloss,0.5,0.25,-0.25\r\nλ1,2,3,1\r\n',
    );
  });

  it('colours every map on one scale: equal losses get equal colours', () => {
    const g1 = { loss: [1, 2, null, 3] };
    const g2 = { loss: [2, 5, 4, null] };
    const domain = sharedDomain([g1, g2]);
    expect(domain).toEqual([1, 5]);
    expect(sharedDomain([{ loss: [null] }])).toBeNull();
    const d = domain as [number, number];
    // viridis at its ends (d3-scale-chromatic): #440154 and #fde725.
    expect(lossColour(1, d)).toEqual([0x44, 0x01, 0x54]);
    expect(lossColour(5, d)).toEqual([0xfd, 0xe7, 0x25]);
    expect(lossColour(2, d)).toEqual(lossColour(2, d));
    expect(lossColour(2, d)).not.toEqual(lossColour(3, d));
    // Outside the range clamps to its ends.
    expect(lossColour(99, d)).toEqual(lossColour(5, d));
  });
});
