/** Plain SVG charts built as strings: figures without a display, a DOM or a GPU. */
export interface LineChartOptions {
  width?: number;
  height?: number;
  title: string;
  xLabel: string;
  yLabel: string;
  logY?: boolean;
}

export const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

export function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi === lo) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / n));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= n) ?? step * 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-12 * Math.abs(hi); t += nice)
    out.push(Number(t.toPrecision(12)));
  return out;
}

/** Tick labels short enough for an axis: 0.30000000000000004 prints as 0.3. */
export const tickLabel = (t: number) => String(Number(t.toPrecision(6)));

export function lineChart(xs: number[], ys: number[], o: LineChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const m = { l: 64, r: 16, t: 32, b: 48 };
  const ty = (y: number) => (o.logY ? Math.log10(Math.max(y, 1e-300)) : y);
  const yv = ys.map(ty);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...yv), Math.max(...yv)];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const points = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(yv[i]).toFixed(1)}`).join(' ');
  const xt = ticks(x0, x1).map(
    (t) =>
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#555"/><text x="${sx(t)}" y="${H - m.b + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
  );
  const yt = ticks(y0, y1).map(
    (t) =>
      `<line x1="${m.l - 4}" x2="${m.l}" y1="${sy(t)}" y2="${sy(t)}" stroke="#555"/><text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end">${o.logY ? `1e${t}` : tickLabel(t)}</text>`,
  );
  return [
    svgOpen(W, H),
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(o.title)}</text>`,
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#555"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#555"/>`,
    ...xt,
    ...yt,
    `<polyline fill="none" stroke="#2f6fde" stroke-width="1.5" points="${points}"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(o.yLabel)}${o.logY ? ' (log)' : ''}</text>`,
    '</svg>',
  ].join('');
}

/** Every figure starts on a white page, so a PNG rendered from it is not transparent. */
export function svgOpen(W: number, H: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="#fff"/>`;
}
