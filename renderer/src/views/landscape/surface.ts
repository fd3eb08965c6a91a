/**
 * The 3-D surface (three.js): the grid as a colormapped mesh (the colormap is a 256×1 texture, so
 * each pixel's colour is the table's, unlit), contour lines on it and projected on the floor, a box
 * with tick labels in the axes' own units and the directions' names, a colorbar, trajectories and
 * checkpoints. Orbit, zoom and reset with OrbitControls; a frame is drawn only when something changed.
 * The hover read-out is the grid's stored value at the nearest grid point, never the mesh's height.
 */
import {
  AmbientLight,
  BufferAttribute,
  BufferGeometry,
  DirectionalLight,
  DoubleSide,
  Line,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Raycaster,
  Scene,
  SphereGeometry,
  Vector2,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { gridMarks, lowestCell, nearestIndex } from '../../../../src/figures';
import { h } from '../../dom';
import type { View } from '../view';
import { colorbar, readout } from './parts';
import { axisOf, boxOf, FLOOR, HEIGHT, heightAt, surfaceBuffers } from './surface-geometry';
import { type Label, overlayLabels } from './surface-labels';
import { axisLabels, boxLines, composite, linearColors, lutTexture } from './surface-parts';
import { type Cell, DEFAULT_OPTIONS, type DrawOptions, type GridView } from './types';

export interface SurfaceView extends View<GridView> {
  setOptions(o: DrawOptions): void;
  /** Show the linked views' cursor (null hides it). */
  setCursor(c: Cell | null): void;
  onCursor: (c: Cell | null) => void;
  resetCamera(): void;
  topView(): void;
  /** Orbit by angles in radians (keyboard), or zoom by a factor (> 1 closer). */
  turn(left: number, up: number): void;
  zoom(factor: number): void;
  /** The picture with its labels and colorbar, at `scale` times the on-screen size. */
  snapshot(scale: number): HTMLCanvasElement;
}

const CAMERA_HOME = new Vector3(2.4, 2.3, 3.0);
const TARGET = new Vector3(0, HEIGHT / 3, 0);

export function surfaceView(): SurfaceView {
  const canvas = h('canvas', { class: 'surface-canvas', 'data-testid': 'surface-canvas' });
  const labels = h('div', { class: 'surface-labels' });
  const bar = colorbar();
  const read = readout('surface-readout');
  const stage = h('div', { class: 'surface-stage' }, canvas, labels);
  const element = h(
    'div',
    { class: 'landscape-view surface', 'data-testid': 'surface', 'data-frames': '0' },
    h('div', { class: 'plot-row' }, stage, bar.element),
    read.element,
  );
  let renderer: WebGLRenderer;
  try {
    renderer = new WebGLRenderer({ canvas, antialias: true });
  } catch {
    element.replaceChildren(
      h('p', { class: 'muted' }, 'The 3-D surface needs WebGL, which this browser does not offer.'),
    );
    return {
      element,
      update() {},
      dispose() {},
      setOptions() {},
      setCursor() {},
      onCursor: () => {},
      resetCamera() {},
      topView() {},
      turn() {},
      zoom() {},
      snapshot: () => canvas,
    };
  }
  renderer.setClearColor(0xffffff, 1);
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  const scene = new Scene();
  const camera = new PerspectiveCamera(35, 1.5, 0.05, 50);
  camera.position.copy(CAMERA_HOME);
  const controls = new OrbitControls(camera, canvas);
  controls.target.copy(TARGET);
  controls.update();
  controls.saveState();

  let grid: GridView | null = null;
  let options = DEFAULT_OPTIONS;
  let texture = lutTexture(options);
  const surfaceMaterial = new MeshBasicMaterial({
    map: texture,
    side: DoubleSide,
    polygonOffset: true,
    polygonOffsetFactor: 1,
    polygonOffsetUnits: 1,
  });
  // Shading (off by default) trades exact colours for a sense of slope: the light darkens the table's colours.
  const shadedMaterial = new MeshLambertMaterial({
    map: texture,
    side: DoubleSide,
    polygonOffset: true,
    polygonOffsetFactor: 1,
    polygonOffsetUnits: 1,
  });
  scene.add(
    new AmbientLight(0xffffff, 0.8),
    new DirectionalLight(0xffffff, 2.4).translateX(2).translateY(2.5).translateZ(1),
  );
  const lineMaterial = new LineBasicMaterial({ color: 0x000000, transparent: true, opacity: 0.35 });
  const floorMaterial = new LineBasicMaterial({ vertexColors: true });
  const boxMaterial = new LineBasicMaterial({ color: 0x888888 });
  const pathMaterial = new LineBasicMaterial({ color: 0xd62728 });
  const markMaterial = new MeshBasicMaterial({ color: 0xd62728 });
  const cursorMaterial = new MeshBasicMaterial({ color: 0xff3d00 });
  const pointMaterial = new PointsMaterial({ size: 5, sizeAttenuation: false, vertexColors: true });
  const markGeometry = new SphereGeometry(0.022, 12, 8);
  const cursor = new Mesh(markGeometry, cursorMaterial);
  cursor.visible = false;
  scene.add(cursor);

  /** What this view built from the grid, replaced (and freed) on each update. */
  let built: Array<Mesh | LineSegments | Line | Points> = [];
  let mesh: Mesh | null = null;
  let labelList: Label[] = [];
  let scaleNow = surfaceBuffers(
    { name: '', x: [0], y: [0], loss: [null], accuracy: null, meta: {}, complete: false },
    options,
  ).scale;
  let queued = 0;
  let frames = 0;

  const render = () => {
    queued = 0;
    renderer.render(scene, camera);
    frames++;
    element.dataset.frames = String(frames);
    overlayLabels(labels, labelList, camera, canvas);
  };
  const requestRender = () => {
    if (!queued) queued = requestAnimationFrame(render);
  };
  controls.addEventListener('change', requestRender);

  const resize = () => {
    const width = Math.max(200, stage.clientWidth);
    const height = Math.round(Math.min(520, Math.max(280, width * 0.66)));
    renderer.setSize(width, height, true);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    requestRender();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(stage);

  const clearBuilt = () => {
    for (const o of built) {
      scene.remove(o);
      if (o.geometry !== markGeometry) o.geometry.dispose();
    }
    built = [];
    mesh = null;
  };

  const add = <T extends Mesh | LineSegments | Line | Points>(o: T): T => {
    built.push(o);
    scene.add(o);
    return o;
  };

  const build = () => {
    clearBuilt();
    labelList = [];
    if (!grid) return requestRender();
    const b = surfaceBuffers(grid, options);
    scaleNow = b.scale;
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(b.positions, 3));
    geometry.setAttribute('uv', new BufferAttribute(b.uvs, 2));
    geometry.setIndex(new BufferAttribute(b.index, 1));
    if (options.shade) geometry.computeVertexNormals();
    mesh = add(new Mesh(geometry, options.shade ? shadedMaterial : surfaceMaterial));
    if (b.lines.length) {
      const on = new BufferGeometry();
      on.setAttribute('position', new BufferAttribute(b.lines, 3));
      add(new LineSegments(on, lineMaterial));
      const floor = new BufferGeometry();
      floor.setAttribute('position', new BufferAttribute(b.floorLines, 3));
      const colors = linearColors(options, b.floorT);
      floor.setAttribute('color', new BufferAttribute(colors, 3));
      add(new LineSegments(floor, floorMaterial));
    }
    if (b.computed < b.nx * b.ny) add(pointsOf(b));
    add(boxLines(boxMaterial));
    labelList = axisLabels(grid, b.scale);
    marks(grid);
    element.dataset.points = String(b.computed);
    element.dataset.total = String(b.nx * b.ny);
    const low = lowestCell(grid);
    if (low) {
      const k = low.i * b.ny + low.j;
      labelList.push({
        at: new Vector3(b.positions[k * 3], b.positions[k * 3 + 1], b.positions[k * 3 + 2]),
        text: 'min',
        kind: 'min',
      });
    }
    bar.draw(options.colormap, b.scale, 'loss');
    requestRender();
  };

  /** While a run computes, every finished point shows as a dot, before its cells can be drawn. */
  const pointsOf = (b: ReturnType<typeof surfaceBuffers>) => {
    const at: number[] = [];
    const ts: number[] = [];
    for (let k = 0; k < b.nx * b.ny; k++)
      if (!Number.isNaN(b.scale.t(grid?.loss[k] ?? null))) {
        at.push(b.positions[k * 3], b.positions[k * 3 + 1], b.positions[k * 3 + 2]);
        ts.push(b.uvs[k * 2]);
      }
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(Float32Array.from(at), 3));
    geometry.setAttribute('color', new BufferAttribute(linearColors(options, ts), 3));
    return new Points(geometry, pointMaterial);
  };

  const marks = (g: GridView) => {
    const y = g.y ?? [0];
    const { path, points } = gridMarks(g.meta);
    const at = (a: number, b: number) =>
      new Vector3(boxOf(g.x, a), (heightAt(g, scaleNow, a, b) ?? FLOOR) + 0.01, -boxOf(y, b));
    if (path.length > 1) {
      // Each leg follows the surface (24 steps), instead of cutting through it in a straight line.
      const dense: Vector3[] = [at(path[0][0], path[0][1])];
      for (let k = 1; k < path.length; k++)
        for (let q = 1; q <= 24; q++) {
          const f = q / 24;
          const [a0, b0] = path[k - 1];
          const [a1, b1] = path[k];
          dense.push(at(a0 + f * (a1 - a0), b0 + f * (b1 - b0)));
        }
      const geometry = new BufferGeometry().setFromPoints(dense);
      add(new Line(geometry, pathMaterial));
    }
    for (const p of points) {
      const m = add(new Mesh(markGeometry, markMaterial));
      m.position.copy(at(p.at[0], p.at[1]));
      labelList.push({ at: m.position.clone(), text: p.label, kind: 'mark' });
    }
  };

  const showCursor = (c: Cell | null) => {
    if (!grid || !c) {
      cursor.visible = false;
      read.show(null, null);
    } else {
      const ny = grid.y?.length ?? 1;
      const v = grid.loss[c.i * ny + c.j];
      const t = scaleNow.t(v);
      cursor.visible = !Number.isNaN(t);
      cursor.position.set(
        boxOf(grid.x, grid.x[c.i]),
        Number.isNaN(t) ? 0 : t * HEIGHT,
        -boxOf(grid.y ?? [0], (grid.y ?? [0])[c.j]),
      );
      read.show(grid, c);
    }
    requestRender();
  };

  const raycaster = new Raycaster();
  const pointer = new Vector2();
  const cellUnder = (e: PointerEvent): Cell | null => {
    if (!grid || !mesh) return null;
    const r = canvas.getBoundingClientRect();
    pointer.set(((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1);
    raycaster.setFromCamera(pointer, camera);
    const hit = raycaster.intersectObject(mesh, false)[0];
    if (!hit) return null;
    const y = grid.y ?? [0];
    // The hit only chooses the nearest grid point; what is shown is read from the grid.
    return { i: nearestIndex(grid.x, axisOf(grid.x, hit.point.x)), j: nearestIndex(y, axisOf(y, -hit.point.z)) };
  };
  const onMove = (e: PointerEvent) => {
    if (e.buttons) return;
    const c = cellUnder(e);
    showCursor(c);
    view.onCursor(c);
  };
  const onLeave = () => {
    showCursor(null);
    view.onCursor(null);
  };
  canvas.addEventListener('pointermove', onMove);
  canvas.addEventListener('pointerleave', onLeave);

  const view: SurfaceView = {
    element,
    onCursor: () => {},
    update(g) {
      grid = g;
      build();
    },
    setOptions(o) {
      if (o.colormap !== options.colormap) {
        texture.dispose();
        texture = lutTexture(o);
        surfaceMaterial.map = texture;
        shadedMaterial.map = texture;
        surfaceMaterial.needsUpdate = true;
        shadedMaterial.needsUpdate = true;
      }
      options = o;
      build();
    },
    setCursor: showCursor,
    resetCamera() {
      controls.reset();
      requestRender();
    },
    topView() {
      camera.position.set(0, 5.4, 0.0001);
      controls.target.set(0, 0, 0);
      controls.update();
      requestRender();
    },
    turn(left, up) {
      if (left) controls.rotateLeft(left);
      if (up) controls.rotateUp(up);
    },
    zoom(factor) {
      if (factor > 1) controls.dollyIn(factor);
      else controls.dollyOut(1 / factor);
    },
    snapshot(scale) {
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      const ratio = renderer.getPixelRatio();
      renderer.setPixelRatio(scale);
      renderer.setSize(width, height, false);
      renderer.render(scene, camera);
      const out = composite(canvas, labels, bar, width, height, scale);
      renderer.setPixelRatio(ratio);
      renderer.setSize(width, height, false);
      requestRender();
      return out;
    },
    dispose() {
      if (queued) cancelAnimationFrame(queued);
      observer.disconnect();
      canvas.removeEventListener('pointermove', onMove);
      canvas.removeEventListener('pointerleave', onLeave);
      controls.dispose();
      clearBuilt();
      for (const m of [
        surfaceMaterial,
        shadedMaterial,
        lineMaterial,
        floorMaterial,
        boxMaterial,
        pathMaterial,
        markMaterial,
        cursorMaterial,
      ])
        m.dispose();
      markGeometry.dispose();
      texture.dispose();
      renderer.dispose();
      // Browsers allow a handful of live WebGL contexts: give this one back now, not at GC.
      renderer.forceContextLoss();
    },
  };
  return view;
}
