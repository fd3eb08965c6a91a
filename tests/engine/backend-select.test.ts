/**
 * `--backend auto` on a machine without a hardware GPU (this one and CI): the CPU, with a notice that
 * says what was tried, and none of Dawn's warnings on stderr for probes that could not succeed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selectBackendWithNotice } from '../../src/engine/backends';
import { fixture, ROOT } from '../helpers';

const hasVulkanLoader = (() => {
  try {
    return readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return true;
  }
})();

describe('auto backend without a hardware GPU', () => {
  it('falls back to the CPU and says why, naming each API tried', async () => {
    const { backend, notice } = await selectBackendWithNotice('auto');
    expect(backend.name).toBe('cpu');
    expect(notice).toMatch(/^the GPU was not used: No usable GPU adapter \(vulkan: .+; opengles: counted as software/);
  });

  it.runIf(!hasVulkanLoader)('prints no Dawn warning: probes that cannot succeed are skipped', () => {
    const r = spawnSync(
      process.execPath,
      [
        `${ROOT}/bin/saddle.mjs`,
        'loss',
        fixture('demo', 'demo.onnx'),
        '--data',
        fixture('demo', 'demo-data.npz'),
        '--samples',
        '16',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Warning:|Couldn't load Vulkan/);
    expect(JSON.parse(r.stdout).backend ?? 'cpu').toBe('cpu');
  });
});
