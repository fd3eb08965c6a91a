/**
 * What the series timeline plots, computed without the DOM: where each checkpoint sits on the x axis
 * (its epoch or step when every file name carries one, else its place in the series), one line per
 * data set for each quantity (with the spread over SLQ runs for the criteria), and the
 * generalization gap of each data set against the first.
 */
import type { SeriesView } from '../../../../src/api/contract';

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** The x of each checkpoint and what it means: `epoch`/`step` numbers from the file names, or the order. */
export function checkpointAxis(checkpoints: string[]): { label: string; x: number[]; names: string[] } {
  const names = checkpoints.map(baseName);
  for (const word of ['epoch', 'step', 'iter']) {
    const re = new RegExp(`${word}[_-]?(\\d+)`, 'i');
    const xs = names.map((n) => re.exec(n)?.[1]);
    if (xs.every((x) => x !== undefined)) {
      const x = xs.map(Number);
      if (new Set(x).size === x.length) return { label: word, x, names };
    }
  }
  // Any one number per name (ckpt_100.pt, 200.pt): use it when they are all distinct.
  const plain = names.map((n) => n.replace(/\.[^.]*$/, '').match(/\d+/g));
  if (plain.every((m) => m?.length === 1)) {
    const x = plain.map((m) => Number((m as RegExpMatchArray)[0]));
    if (new Set(x).size === x.length) return { label: 'checkpoint number', x, names };
  }
  return { label: 'checkpoint (file order)', x: names.map((_n, k) => k + 1), names };
}

export const QUANTITIES = ['accuracy', 'loss', 'λmax', 'trace', 're', 'Kh', 'Ct'] as const;
export type Quantity = (typeof QUANTITIES)[number];

export interface Line {
  data: string;
  dataIndex: number;
  /** One point per checkpoint that has a value: its x, the value, and a spread (± std) if any. */
  points: Array<{ x: number; y: number; spread: number | null; checkpoint: string }>;
}

type Entry = NonNullable<SeriesView['members'][number]['entry']>;

function value(e: Entry, q: Quantity): { y: number | null; spread: number | null } {
  switch (q) {
    case 'accuracy':
      return { y: e.accuracy, spread: null };
    case 'loss':
      return { y: e.loss, spread: null };
    case 'λmax':
      return { y: e.topEigenvalues[0] ?? null, spread: null };
    case 'trace':
      return { y: e.trace?.estimate ?? null, spread: e.trace?.stderr ?? null };
    case 're':
      return { y: e.criteria?.re.mean ?? null, spread: e.criteria?.re.std ?? null };
    case 'Kh':
      return { y: e.criteria?.kh.mean ?? null, spread: e.criteria?.kh.std ?? null };
    case 'Ct':
      return { y: e.criteria?.ct.mean ?? null, spread: e.criteria?.ct.std ?? null };
  }
}

/** Each data set's line for one quantity, over the finished members. */
export function seriesLines(view: SeriesView, q: Quantity): Line[] {
  const axis = checkpointAxis(view.checkpoints);
  return view.data.map((data, dataIndex) => ({
    data: baseName(data),
    dataIndex,
    points: view.members
      .filter((m) => m.dataIndex === dataIndex && m.entry)
      .flatMap((m) => {
        const v = value(m.entry as Entry, q);
        return v.y === null
          ? []
          : [{ x: axis.x[m.checkpointIndex], y: v.y, spread: v.spread, checkpoint: axis.names[m.checkpointIndex] }];
      }),
  }));
}

/** accuracy(first data set) − accuracy(this one), per checkpoint: the generalization gap. */
export function generalizationGap(view: SeriesView): Line[] {
  const acc = seriesLines(view, 'accuracy');
  const [ref, ...others] = acc;
  if (!ref) return [];
  return others.map((line) => ({
    ...line,
    points: line.points.flatMap((p) => {
      const r = ref.points.find((q) => q.x === p.x);
      return r ? [{ ...p, y: r.y - p.y, spread: null }] : [];
    }),
  }));
}

/** A range with a little room, never empty (a flat line gets ±1 or ±10% around its value). */
export function extent(values: number[]): [number, number] {
  if (!values.length) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  return [lo, hi];
}
