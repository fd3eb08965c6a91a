/** Pieces the landscape views share: the colorbar (canvas) and the hover read-out. */
import { type ColormapName, cellValues, colormapTable, LUT_SIZE, type ZScale } from '../../../../src/figures';
import { h } from '../../dom';
import { niceTicks } from './ticks';
import { type Cell, exact, type GridView } from './types';

export interface Colorbar {
  element: HTMLElement;
  draw(colormap: ColormapName, scale: ZScale, quantity: string): void;
  /** Paint the bar and its ticks into a 2-D context (for PNG export), at (x, y) with this height. */
  paint(ctx: CanvasRenderingContext2D, x: number, y: number, height: number): void;
}

export function colorbar(): Colorbar {
  const canvas = h('canvas', { class: 'colorbar-ramp', width: '1', height: String(LUT_SIZE) });
  const ticks = h('div', { class: 'colorbar-ticks' });
  const title = h('div', { class: 'colorbar-title' });
  const element = h(
    'div',
    { class: 'colorbar', 'data-testid': 'colorbar' },
    title,
    h('div', { class: 'colorbar-body' }, canvas, ticks),
  );
  let state: { colormap: ColormapName; scale: ZScale; quantity: string } | null = null;
  const tickList = (scale: ZScale) =>
    niceTicks(scale.lo, scale.hi).map((w) => ({
      f: scale.hi > scale.lo ? (w - scale.lo) / (scale.hi - scale.lo) : 0,
      text: String(Number(scale.inverse(w).toPrecision(4))),
    }));
  return {
    element,
    draw(colormap, scale, quantity) {
      state = { colormap, scale, quantity };
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      const img = ctx.createImageData(1, LUT_SIZE);
      const table = colormapTable(colormap);
      for (let k = 0; k < LUT_SIZE; k++) {
        // Top of the bar is the high end.
        const e = (LUT_SIZE - 1 - k) * 3;
        img.data.set([table[e], table[e + 1], table[e + 2], 255], k * 4);
      }
      ctx.putImageData(img, 0, 0);
      title.textContent = scale.label(quantity);
      ticks.replaceChildren(
        ...tickList(scale).map((t) => h('span', { style: `bottom: ${(t.f * 100).toFixed(2)}%` }, t.text)),
      );
    },
    paint(ctx, x, y, height) {
      if (!state) return;
      ctx.drawImage(canvas, x, y, 14, height);
      ctx.fillStyle = '#222';
      ctx.textAlign = 'left';
      ctx.font = '11px sans-serif';
      for (const t of tickList(state.scale)) ctx.fillText(t.text, x + 18, y + height - t.f * height + 4);
      ctx.fillText(state.scale.label(state.quantity), x - 4, y - 6);
    },
  };
}

export interface Readout {
  element: HTMLElement;
  show(g: GridView | null, c: Cell | null): void;
}

/** α, β, loss and accuracy at the grid point under the cursor, as stored (every digit). */
export function readout(testid: string): Readout {
  const element = h(
    'div',
    { class: 'readout muted', 'data-testid': testid },
    'Point at the surface to read its values.',
  );
  return {
    element,
    show(g, c) {
      if (!g || !c) {
        element.textContent = 'Point at the surface to read its values.';
        delete element.dataset.i;
        delete element.dataset.j;
        return;
      }
      const v = cellValues(g, c.i, c.j);
      element.dataset.i = String(c.i);
      element.dataset.j = String(c.j);
      const parts = [`α = ${v.alpha}`];
      if (v.beta !== null) parts.push(`β = ${v.beta}`);
      parts.push(`loss = ${exact(v.loss)}`);
      if (g.accuracy) parts.push(`accuracy = ${exact(v.accuracy)}`);
      element.textContent = parts.join(', ');
    },
  };
}
