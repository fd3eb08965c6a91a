// Builds the optional native kernels (native/kernels.c) into native/build/saddle_kernels.node.
// Runs on `npm ci` (the package's install script) and `npm run build:native`. It needs only a C
// compiler (cc, or $CC): the addon declares the few Node-API functions it uses itself. Without a
// compiler, or on a platform it does not know, it says so and succeeds: the engine then runs its
// WebAssembly kernels, which compute the same numbers. SADDLE_NO_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'native', 'build', 'saddle_kernels.node');
const skip = (why) => {
  console.log(`saddle: native kernels not built (${why}); the WebAssembly kernels will be used.`);
  process.exit(0);
};
if (process.env.SADDLE_NO_NATIVE) skip('SADDLE_NO_NATIVE is set');
if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`no build recipe for ${process.platform}`);
const cc = process.env.CC || 'cc';
mkdirSync(dirname(out), { recursive: true });
const args = [
  '-O3',
  '-std=gnu11',
  '-shared',
  '-fPIC',
  '-fvisibility=hidden',
  '-o',
  out,
  join(root, 'native', 'kernels.c'),
];
// Node-API symbols come from the host process at load time.
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const r = spawnSync(cc, args, { encoding: 'utf8' });
if (r.error) skip(`no C compiler: ${cc} ${r.error.code === 'ENOENT' ? 'is not installed' : r.error.message}`);
if (r.status !== 0) skip(`${cc} failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
console.log(`saddle: built ${out}`);
