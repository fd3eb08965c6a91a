/** Plain-text rendering for the CLI: aligned tables and human numbers. */
export function table(headers: string[], rows: string[][], alignRight: boolean[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (alignRight[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function shapeText(shape: ReadonlyArray<number | string> | null): string {
  return shape ? `[${shape.join(', ')}]` : '[?]';
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
