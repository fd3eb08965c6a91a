/** Grid axes in CSV exports print as people write them, not with float64 noise. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRun } from '../src/export';
import { axisValue } from '../src/export/csv';
import { RunStore } from '../src/store/store';

describe('CSV grid axes', () => {
  it('print the shortest form of start + i * step', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-csv-')), 'runs.db'));
    const id = store.createRun({ kind: 'landscape', options: {}, state: 'running' });
    const x = Array.from({ length: 21 }, (_, i) => -1 + i * 0.1);
    expect(String(x[19])).toMatch(/^0\.9000+\d$|^0\.8999+\d$/);
    store.putGridAxes(id, 'curve', x, null, {});
    store.finishGrid(id, 'curve', new Float32Array(21).fill(1), null);
    store.finish(id, 'finished');
    const csv = (await exportRun(store, id, { format: 'csv' })) as string;
    const xs = csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((row) => row.split(',')[0]);
    expect(xs[19]).toBe('0.9');
    expect(xs[10]).toBe('0');
    expect(xs.every((v) => v.length <= 4)).toBe(true);
    store.close();
  });

  it('keep every digit a real axis value has', () => {
    expect(axisValue(0.123456789012)).toBe(0.123456789012);
    expect(axisValue(1e-12)).toBe(1e-12);
    expect(axisValue(-0.30000000000000004)).toBe(-0.3);
  });
});
