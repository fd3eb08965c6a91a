import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8'));
const define = { __SADDLE_VERSION__: JSON.stringify(pkg.version) };

export default defineConfig({
  main: {
    define,
    build: {
      outDir: 'out/main',
      // d3-contour ships only as ES modules: bundle it, whatever format the main build emits.
      externalizeDeps: { exclude: ['d3-contour', 'd3-array'] },
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/main.ts'), engine: resolve(__dirname, 'electron/engine.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be one CommonJS file: it can require only 'electron'.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    build: { outDir: 'out/renderer', rollupOptions: { input: resolve(__dirname, 'renderer/index.html') } },
  },
});
