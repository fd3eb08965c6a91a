// Bundles the CLI (and later the worker and bench entries) with esbuild into dist/.
// Dependencies stay external: they are installed next to the package.
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/** `import text from './x.proto?raw'`, as Vite does it. */
const rawPlugin = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, async (args) => {
      const resolved = await b.resolve(args.path.slice(0, -4), { resolveDir: args.resolveDir, kind: args.kind });
      return { path: resolved.path, namespace: 'raw' };
    });
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

const entries = process.argv.slice(2).length ? process.argv.slice(2) : ['cli'];
const entryFiles = { cli: 'src/cli/main.ts', bench: 'scripts/bench.ts', worker: 'src/evaluator/worker.ts' };
/** The GPU bench travels alone to a machine without node_modules: everything but Dawn is bundled in. */
if (process.argv[2] === 'benchgpu') {
  await build({
    entryPoints: { 'bench-gpu': 'scripts/bench-gpu.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    define: { __SADDLE_VERSION__: JSON.stringify(pkg.version) },
    plugins: [rawPlugin],
    logLevel: 'warning',
  });
  process.exit(0);
}
await build({
  entryPoints: Object.fromEntries(
    Object.entries(entryFiles)
      .filter(([k]) => entries.includes(k) || entries.includes('all'))
      .map(([k, v]) => [k, v]),
  ),
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  define: { __SADDLE_VERSION__: JSON.stringify(pkg.version) },
  plugins: [rawPlugin],
  logLevel: 'warning',
});
