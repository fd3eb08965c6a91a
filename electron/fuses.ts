/**
 * Electron fuses for the packaged app: bits flipped in the Electron binary at package time that
 * turn off features an attacker could use to run code as Saddle (ELECTRON_RUN_AS_NODE, NODE_OPTIONS,
 * --inspect, an app folder beside app.asar, file:// privileges). forge.config.ts passes
 * `fuseConfig(FuseVersion.V1, FuseV1Options)` to @electron-forge/plugin-fuses; the enums come from
 * @electron/fuses, taken as arguments so this module needs neither package to be type-checked or
 * tested. https://www.electronjs.org/docs/latest/tutorial/fuses
 */

/** The fuses Saddle sets, by @electron/fuses' FuseV1Options names. */
export const SADDLE_FUSES = {
  // The engine runs in a utilityProcess, which needs none of these.
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  // Load the app only from app.asar, and check app.asar against the hash in the binary.
  OnlyLoadAppFromAsar: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  // The UI comes from saddle://app, so file:// needs no extra privileges.
  GrantFileProtocolExtraPrivileges: false,
} as const satisfies Record<string, boolean>;

export type FuseName = keyof typeof SADDLE_FUSES;

/**
 * The wire index of each fuse, as @electron/fuses' `FuseV1Options` enum numbers them. Only for
 * tests and documentation: forge.config.ts passes the package's own enum.
 */
export const FUSE_V1_WIRE_INDEX: Record<FuseName, number> = {
  RunAsNode: 0,
  EnableCookieEncryption: 1,
  EnableNodeOptionsEnvironmentVariable: 2,
  EnableNodeCliInspectArguments: 3,
  EnableEmbeddedAsarIntegrityValidation: 4,
  OnlyLoadAppFromAsar: 5,
  LoadBrowserProcessSpecificV8Snapshot: 6,
  GrantFileProtocolExtraPrivileges: 7,
};

/**
 * The plugin's options: `{ version, [FuseV1Options.X]: value, ... }`. `options` is the
 * FuseV1Options enum (or FUSE_V1_WIRE_INDEX); a fuse the enum lacks is an error, not a silent skip.
 */
export function fuseConfig<V extends string>(
  version: V,
  options: Record<FuseName, number>,
): { version: V } & Record<number, boolean> {
  const config: { version: V } & Record<number, boolean> = { version };
  for (const [name, value] of Object.entries(SADDLE_FUSES) as [FuseName, boolean][]) {
    const index = options[name];
    if (typeof index !== 'number') throw new Error(`Fuses: this @electron/fuses has no fuse named ${name}.`);
    config[index] = value;
  }
  return config;
}
