import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { makeBridge } from '../electron/bridge';
import { CONTENT_SECURITY_POLICY, isTrustedSender, secureWebPreferences } from '../electron/security';
import { methodNames } from '../src/api/contract';
import { ROOT } from './helpers';

describe('Electron window security', () => {
  it('isolates and sandboxes the renderer', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('sends a restrictive CSP', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });

  it('trusts only its own pages', () => {
    expect(isTrustedSender('file:///opt/Saddle/resources/app.asar/out/renderer/index.html', undefined)).toBe(true);
    expect(isTrustedSender('https://evil.example/renderer/index.html', undefined)).toBe(false);
    expect(isTrustedSender('file:///tmp/other.html', undefined)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
  });

  it('denies navigation and new windows, and runs the engine in a utilityProcess', () => {
    const main = readFileSync(`${ROOT}/electron/main.ts`, 'utf8');
    expect(main).toMatch(/setWindowOpenHandler\([\s\S]*?action: 'deny'/);
    expect(main).toMatch(/'will-navigate', \(e\) => e\.preventDefault\(\)/);
    expect(main).toMatch(/utilityProcess\.fork\(/);
  });
});

describe('the preload bridge', () => {
  it('exposes one function per contract method plus pathForFile and onEvent, nothing else', () => {
    const bridge = makeBridge({ invoke: vi.fn(), getPathForFile: vi.fn(), subscribe: vi.fn() });
    expect(Object.keys(bridge).sort()).toEqual([...methodNames, 'onEvent', 'pathForFile'].sort());
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('calls the namespaced channel and turns errors into sentences', async () => {
    const invoke = vi.fn(async () => ({ ok: false, error: { kind: 'corrupt', message: 'ONNX reader: bad.' } }));
    const bridge = makeBridge({ invoke, getPathForFile: vi.fn(), subscribe: vi.fn() }) as unknown as Record<
      string,
      (r: unknown) => Promise<unknown>
    >;
    await expect(bridge.openModel({ path: '/x.onnx' })).rejects.toThrow('ONNX reader: bad.');
    expect(invoke).toHaveBeenCalledWith('saddle:openModel', { path: '/x.onnx' });
  });

  it('passes on only well-formed engine events', () => {
    let push: (d: unknown) => void = () => {};
    const subscribe = (listener: (d: unknown) => void) => {
      push = listener;
      return () => {};
    };
    const bridge = makeBridge({ invoke: vi.fn(), getPathForFile: vi.fn(), subscribe });
    const seen: unknown[] = [];
    bridge.onEvent((e) => seen.push(e));
    push({ type: 'progress', job: 'j', stage: 's', done: 1, total: 2 });
    push({ type: 'evil', payload: 'x' });
    expect(seen).toEqual([{ type: 'progress', job: 'j', stage: 's', done: 1, total: 2 }]);
  });
});
