/**
 * Labels of the 3-D view as HTML over the canvas (crisp text, selectable, no font atlas): each frame
 * projects its anchor to the screen. Each label keeps its anchor's pixel in data-x/data-y (canvas
 * CSS pixels), which the PNG export draws from and the tests aim at.
 */
import type { Camera, Vector3 } from 'three';

export interface Label {
  at: Vector3;
  text: string;
  /** tick: a coordinate; axis: a name; mark: a checkpoint; min: the grid's lowest point. */
  kind: 'tick' | 'axis' | 'mark' | 'min';
}

export function overlayLabels(layer: HTMLElement, labels: Label[], camera: Camera, canvas: HTMLCanvasElement): void {
  const w = canvas.clientWidth;
  const hgt = canvas.clientHeight;
  while (layer.children.length > labels.length) layer.lastElementChild?.remove();
  labels.forEach((l, k) => {
    let el = layer.children[k] as HTMLElement | undefined;
    if (!el) {
      el = document.createElement('span');
      layer.append(el);
    }
    const p = l.at.clone().project(camera);
    const x = ((p.x + 1) / 2) * w;
    const y = ((1 - p.y) / 2) * hgt;
    el.className = `label ${l.kind}`;
    el.textContent = l.text;
    el.dataset.kind = l.kind;
    el.dataset.x = x.toFixed(2);
    el.dataset.y = y.toFixed(2);
    if (l.kind === 'min') el.dataset.testid = 'surface-min';
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
    el.hidden = p.z > 1 || p.z < -1;
  });
}
