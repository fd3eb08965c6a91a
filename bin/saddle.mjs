#!/usr/bin/env node
// Entry point of the `saddle` command: runs the bundled CLI built by `npm run build:cli`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('saddle: the CLI is not built yet; run `npm run build` first.\n');
  process.exit(1);
}
const { main } = await import(cli);
await main(process.argv);
