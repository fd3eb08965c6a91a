/**
 * Packaging with Electron Forge 7 (forge 8 needs Node 22). The app is built by electron-vite first
 * (`npm run build`); Forge packs out/, the demo fixtures and the production dependencies, and
 * rebuilds better-sqlite3 against Electron's Node ABI.
 */

import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerDMG } from '@electron-forge/maker-dmg';
import { MakerSquirrel } from '@electron-forge/maker-squirrel';
import { MakerZIP } from '@electron-forge/maker-zip';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { fuseConfig } from './electron/fuses';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Saddle',
    executableName: 'saddle-app',
    asar: true,
    // Keep what the app needs at run time; drop sources, tests and build inputs.
    ignore: [/^\/(src|renderer|electron|tests|scripts|shaders|\.ci|\.github)(\/|$)/, /^\/fixtures\/(?!demo)/, /\.ts$/],
  },
  rebuildConfig: { onlyModules: ['better-sqlite3'], force: true },
  makers: [
    new MakerZIP({}, ['linux', 'darwin']),
    new MakerDeb({ options: { categories: ['Science', 'Development'], section: 'science' } }),
    new MakerDMG({}),
    new MakerSquirrel({ name: 'Saddle' }),
  ],
  // The Electron fuses of electron/fuses.ts, flipped in the packaged binary.
  plugins: [new AutoUnpackNativesPlugin({}), new FusesPlugin(fuseConfig(FuseVersion.V1, FuseV1Options))],
};

export default config;
