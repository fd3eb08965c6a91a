/**
 * Where bundled files (the demo model and data, the built renderer) are. The package root is found
 * by walking up from this module to the folder holding Saddle's package.json; a packaged app sets
 * SADDLE_RESOURCES instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (process.env.SADDLE_RESOURCES) return process.env.SADDLE_RESOURCES;
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'saddle') break;
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot find the Saddle package root; set SADDLE_RESOURCES.');
    dir = up;
  }
  root = dir;
  return dir;
}

export function demoPaths(): { model: string; data: string; weights: string; reference: string } {
  const dir = join(packageRoot(), 'fixtures', 'demo');
  return {
    model: join(dir, 'demo.onnx'),
    data: join(dir, 'demo-data.npz'),
    weights: join(dir, 'demo.pt'),
    reference: join(dir, 'demo.json'),
  };
}

export function rendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}
