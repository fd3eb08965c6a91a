/**
 * The object the preload exposes as `window.saddle`: one named function per contract method plus
 * `pathForFile` and `onEvent`. Built from injected functions so a test can inspect the surface.
 */
import { type EngineEvent, EngineEventSchema, type MethodName, methodNames } from '../src/api/contract';
import { CHANNEL_PREFIX } from './security';

export interface BridgeDeps {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  getPathForFile(file: unknown): string;
  subscribe(listener: (data: unknown) => void): () => void;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: { kind: string; message: string } };

export function makeBridge(deps: BridgeDeps) {
  const call = (method: MethodName) => async (request: unknown) => {
    const outcome = (await deps.invoke(CHANNEL_PREFIX + method, request ?? {})) as Outcome;
    if (!outcome.ok) {
      // Errors crossing contextBridge lose their fields; the message sentence is what the UI shows.
      throw new Error(outcome.error.message);
    }
    return outcome.result;
  };
  const methods = Object.fromEntries(methodNames.map((m) => [m, call(m)]));
  return Object.freeze({
    ...methods,
    pathForFile: (file: unknown) => deps.getPathForFile(file),
    onEvent: (listener: (event: EngineEvent) => void) =>
      deps.subscribe((data) => {
        const parsed = EngineEventSchema.safeParse(data);
        if (parsed.success) listener(parsed.data);
      }),
  });
}
