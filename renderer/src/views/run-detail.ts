/**
 * A run's detail: what it was computed from (files with their sha256), its options, where it ran
 * (the environment each part was computed in) and its numbers (loss, spectrum, criteria, grids).
 */
import type { RunView } from '../../../src/api/contract';
import { h } from '../dom';
import { computedOnLine } from './computed-on';
import { baseName, computedSeconds, formatSeconds, runColour } from './runs-model';

const fmt = (x: unknown): string => {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toPrecision(6);
  if (x === null || x === undefined) return '—';
  if (Array.isArray(x)) return x.map(fmt).join(', ');
  if (typeof x === 'object') return JSON.stringify(x);
  return String(x);
};

/** Key-value rows straight in the table, no tbody: `[data-testid=runs] tbody tr` stays the runs' rows. */
function table(rows: Array<[string, unknown]>, testid: string): HTMLElement {
  return h(
    'table',
    { class: 'detail-table', 'data-testid': testid },
    ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v instanceof Node ? v : fmt(v)))),
  );
}

const hash = (id: string | null | undefined) => (id ? h('code', { title: id }, `sha256 ${id.slice(0, 12)}…`) : '—');

function inputs(v: RunView): HTMLElement {
  const r = v.run;
  const file = (path: string | null, id: string | null | undefined) =>
    path ? h('span', { title: path }, baseName(path), ' ', hash(id)) : '—';
  return table(
    [
      ['model', file(r.model, r.hashes?.model)],
      ['weights', file(r.weights, r.hashes?.weights)],
      ['data', file(r.data, r.hashes?.data)],
      ['samples', r.samples ?? 'all'],
    ],
    'detail-inputs',
  );
}

/** The numbers a run holds, whichever kind it is. */
function numbers(v: RunView): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const loss = v.results.loss as { loss?: number; accuracy?: number | null; gradNorm?: number } | undefined;
  if (loss) {
    out.push(['loss', loss.loss]);
    if (loss.accuracy !== undefined && loss.accuracy !== null)
      out.push(['accuracy', `${(100 * loss.accuracy).toFixed(2)}%`]);
    if (loss.gradNorm !== undefined) out.push(['‖∇L‖', loss.gradNorm]);
  }
  const s = v.results.spectrum as Record<string, unknown> | undefined;
  if (s) {
    if (s.topEigenvalues) out.push(['top eigenvalues', s.topEigenvalues]);
    if (s.bottomEigenvalues) out.push(['bottom eigenvalues', s.bottomEigenvalues]);
    const t = s.trace as { estimate: number; stderr: number } | undefined;
    if (t) out.push(['trace', `${fmt(t.estimate)} ± ${t.stderr.toPrecision(2)}`]);
    const c = s.criteria as
      | {
          re: { mean: number; std: number };
          ct: { mean: number; std: number };
          kh: { n: number; mean: number | null; std: number | null };
          hesdType: string;
        }
      | undefined;
    if (c) {
      out.push(['re', `${fmt(c.re.mean)} ± ${c.re.std.toPrecision(2)}`]);
      out.push([`Kh (n=${c.kh.n})`, c.kh.mean === null ? 'undefined' : `${fmt(c.kh.mean)} ± ${fmt(c.kh.std)}`]);
      out.push(['Ct', `${fmt(c.ct.mean)} ± ${c.ct.std.toPrecision(2)} (HESD ${c.hesdType})`]);
    }
    if (s.hvps !== undefined) out.push(['H·v products', s.hvps]);
  }
  const stages = v.results.stages as { planned: string[]; done: string[] } | undefined;
  if (stages) out.push(['stages', `${stages.done.join(', ') || 'none'} of ${stages.planned.join(', ')}`]);
  for (const g of v.grids) {
    const vals = g.loss.filter((x): x is number => x !== null);
    const size = g.y ? `${g.x.length} × ${g.y.length}` : `${g.x.length}`;
    const range = vals.length ? `, loss ${fmt(Math.min(...vals))} to ${fmt(Math.max(...vals))}` : '';
    out.push([`grid ${g.name}`, `${size} points${g.complete ? '' : ` (${vals.length} computed)`}${range}`]);
  }
  return out;
}

/** Where it ran; a resumed run also lists where its earlier part ran. */
function environment(v: RunView): Array<[string, unknown]> {
  const env = (v.results.environment ?? {}) as Record<string, unknown>;
  const rows: Array<[string, unknown]> = Object.entries(env)
    .filter(([k]) => k !== 'before')
    .map(([k, x]) => [k, x]);
  if (env.before) rows.push(['resumed from', env.before]);
  rows.push(['host', v.run.host], ['Saddle', v.run.version]);
  return rows;
}

export function runDetail(v: RunView, name: string): HTMLElement {
  const r = v.run;
  const nums = numbers(v);
  return h(
    'div',
    { class: 'run-detail', 'data-testid': 'run-detail', 'data-run': r.id },
    h('h3', {}, h('span', { class: 'swatch', style: `background:${runColour(r.id)}` }), ' ', name),
    h(
      'p',
      { class: 'muted' },
      `${r.kind}, ${r.state}${r.error ? `: ${r.error}` : ''}; id ${r.id}; computed ${formatSeconds(computedSeconds(r, Date.now())) || '—'}`,
    ),
    // Where it was computed (from its recorded environment), a notice when auto fell back to the CPU.
    ...[computedOnLine(v.results.environment, 'run-backend')].filter((e) => e !== null),
    h('h4', {}, 'Inputs'),
    inputs(v),
    h('h4', {}, 'Numbers'),
    nums.length ? table(nums, 'detail-numbers') : h('p', { class: 'muted' }, 'No numbers recorded yet.'),
    h('h4', {}, 'Options'),
    table(
      Object.entries(r.options).filter(([, x]) => x !== undefined),
      'detail-options',
    ),
    h('h4', {}, 'Environment'),
    table(environment(v), 'detail-environment'),
  );
}
