/**
 * A self-contained HTML report of one or more runs: figures inline as SVG, the numbers, the options
 * and the versions. No script, no external resource: it opens anywhere, prints to PDF, and can be
 * mailed as one file.
 */
import type { LlaCriteria } from '../analysis/density';
import type { HessianReport } from '../analysis/spectrum';
import { esc } from '../report/svg';
import type { StoredGrid } from '../store/store';
import { SADDLE_VERSION } from '../version';
import { runFigures } from './figures';
import { llaLine } from './lla';
import type { RunData } from './run-data';

const f = (x: number | null | undefined, digits = 6) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toPrecision(digits);

function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = (r: Array<string | number>, tag: string) =>
    `<tr>${r.map((c) => `<${tag}>${typeof c === 'number' ? f(c) : esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${cells(header, 'th')}${rows.map((r) => cells(r, 'td')).join('')}</table>`;
}

function spectrumSection(s: Partial<HessianReport>, data: RunData): string {
  const parts: string[] = [];
  const rows = [
    ...(s.topEigenvalues ?? []).map((v, k) => [`λ${k + 1} (top)`, v, s.residuals?.top[k] ?? Number.NaN]),
    ...(s.bottomEigenvalues ?? []).map((v, k) => [`bottom ${k + 1}`, v, s.residuals?.bottom[k] ?? Number.NaN]),
  ] as Array<Array<string | number>>;
  if (rows.length)
    parts.push('<h3>Extreme eigenvalues (Lanczos)</h3>', table(['', 'eigenvalue', 'residual ‖Hv − λv‖'], rows));
  if (s.trace)
    parts.push(
      `<p>Trace ${f(s.trace.estimate)} ± ${f(s.trace.stderr, 2)} (${esc(s.trace.method)}, ${s.trace.matvecs} H·v)</p>`,
    );
  const c = s.criteria as LlaCriteria | undefined;
  if (c) {
    parts.push(
      '<h3>LLA criteria</h3>',
      table(
        ['criterion', 'mean', 'std'],
        [
          ['re', c.re.mean, c.re.std],
          ['Ct', c.ct.mean, c.ct.std],
          [`Kh (n = ${c.kh.n})`, c.kh.mean ?? 'undefined', c.kh.std ?? '–'],
        ],
      ),
      `<p>HESD type ${esc(c.hesdType)}${c.note ? `: ${esc(c.note)}` : ''}${c.kh.note ? ` ${esc(c.kh.note)}` : ''}</p>`,
      `<p>LLA log line: <code>${esc(llaLine(data).trim())}</code></p>`,
    );
  }
  if (s.perLayer?.length)
    parts.push(
      '<h3>Per-layer curvature</h3>',
      table(
        ['block', 'kind', 'size', 'λmax', 'trace'],
        s.perLayer.map((b) => [b.name, b.kind, String(b.size), b.topEigenvalue, b.trace]),
      ),
    );
  if (s.hvps !== undefined) parts.push(`<p>${s.hvps} Hessian-vector products in ${f(s.seconds, 3)} s.</p>`);
  return parts.join('');
}

function gridSection(g: StoredGrid): string {
  let best = -1;
  for (let k = 0; k < g.loss.length; k++)
    if (Number.isFinite(g.loss[k]) && (best < 0 || g.loss[k] < g.loss[best])) best = k;
  const ny = g.y?.length ?? 1;
  const at = (k: number) => (g.y ? `(${f(g.x[Math.floor(k / ny)], 4)}, ${f(g.y[k % ny], 4)})` : `${f(g.x[k], 4)}`);
  const done = Array.from(g.loss).filter(Number.isFinite).length;
  const d = (g.meta.directions ?? {}) as Record<string, unknown>;
  return [
    `<p>${g.y ? `${g.x.length} × ${g.y.length}` : g.x.length} points${g.complete ? '' : ` (${done} computed so far)`}; `,
    best >= 0 ? `lowest loss ${f(g.loss[best])} at ${at(best)}` : 'no point computed',
    g.accuracy && best >= 0 ? `, accuracy there ${(100 * g.accuracy[best]).toFixed(2)}%` : '',
    '.</p>',
    `<p>Directions: ${esc(JSON.stringify(d))}</p>`,
  ].join('');
}

function runSection(data: RunData): string {
  const r = data.run;
  const figures = runFigures(data);
  const spectrum = data.results.spectrum as Partial<HessianReport> | undefined;
  const loss = data.results.loss as
    | { loss: number; accuracy: number | null; gradNorm: number; samples: number }
    | undefined;
  const meta: Array<[string, string]> = [
    ['run', `${r.id} (${r.kind}, ${r.state}${r.error ? `: ${r.error}` : ''})`],
    [
      'model',
      data.model ? `${data.model.path} (sha256 ${data.model.id.slice(0, 12)}…)` : String(data.options.model ?? '–'),
    ],
    ['data', r.data_path ?? '–'],
    ['weights', r.weights_path ?? '–'],
    ['seed', r.seed === null ? '–' : String(r.seed)],
    ['started', r.started_at ?? '–'],
    ['time', r.seconds === null ? '–' : `${r.seconds.toFixed(1)} s`],
    ['computed by', `Saddle ${r.version} on ${r.host}`],
  ];
  return [
    `<section><h2>${esc(r.name)}</h2>`,
    `<table class="meta">${meta.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`,
    figures.map((fig) => `<figure>${fig.svg}</figure>`).join(''),
    loss
      ? `<p>Loss ${f(loss.loss, 8)}, accuracy ${loss.accuracy === null ? 'n/a' : `${(100 * loss.accuracy).toFixed(2)}%`}, ‖∇L‖ ${f(loss.gradNorm)} over ${loss.samples} samples.</p>`
      : '',
    spectrum ? spectrumSection(spectrum, data) : '',
    data.grids.map(gridSection).join(''),
    `<details><summary>Options</summary><pre>${esc(JSON.stringify(data.options, null, 2))}</pre></details>`,
    '</section>',
  ].join('');
}

export function htmlReport(runs: RunData[], title = 'Saddle report'): string {
  const css = [
    'body{font-family:system-ui,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1180px;color:#1d1f21;padding:0 16px}',
    'h1{font-size:22px}h2{font-size:18px;border-top:1px solid #ddd;padding-top:16px}h3{font-size:15px}',
    'table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;font-variant-numeric:tabular-nums}',
    'th{background:#f4f4f2}figure{display:inline-block;margin:8px}code,pre{background:#f4f4f2;padding:2px 4px;border-radius:4px}',
    '@media print{figure{break-inside:avoid}section{break-before:page}}',
  ].join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${css}</style></head>
<body><h1>${esc(title)}</h1><p>Written by Saddle ${esc(SADDLE_VERSION)} on ${new Date().toISOString()}, Node ${esc(process.versions.node)}, ${esc(process.platform)}-${esc(process.arch)}.</p>
${runs.map(runSection).join('\n')}
</body></html>
`;
}
