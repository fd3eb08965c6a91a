/**
 * Debian's Chromium for the end-to-end tests, launched one way for all of them: headless, no
 * network chatter, and (for the landscape views) WebGL through SwiftShader, since CI has no GPU.
 */
import { type Browser, chromium } from 'playwright-core';
import { ROOT, requireSystemPath } from '../helpers';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = `${ROOT}/tests/artifacts`;
export const hasBrowser = requireSystemPath(CHROMIUM, 'Chromium');

const QUIET = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SWIFTSHADER_WEBGL = [
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

export function launchChromium(opts: { webgl?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...QUIET, ...(opts.webgl ? SWIFTSHADER_WEBGL : ['--disable-gpu'])],
  });
}
