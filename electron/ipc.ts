/**
 * The gate every IPC call passes before it reaches the engine: the sender must be the top frame of
 * one of our own pages, and the payload must parse with the method's zod schema. Pure, so a test
 * can call it without Electron.
 */
import { type MethodName, methods } from '../src/api/contract';
import { isTrustedSender } from './security';

/** What main.ts knows about the frame that sent a call (Electron's `event.senderFrame`). */
export interface SenderFrame {
  url: string;
  /** True for the window's own page; false for an iframe inside it. */
  isTopFrame: boolean;
}

export type Checked =
  | { ok: true; request: unknown }
  | { ok: false; error: { kind: 'forbidden' | 'bad-request'; message: string } };

export function checkIpcCall(
  method: MethodName,
  frame: SenderFrame | null,
  payload: unknown,
  devServerUrl: string | undefined,
): Checked {
  if (!frame?.isTopFrame || !isTrustedSender(frame.url, devServerUrl)) {
    const from = frame ? `'${frame.url}'${frame.isTopFrame ? '' : ' (a sub-frame)'}` : 'an unknown frame';
    return { ok: false, error: { kind: 'forbidden', message: `The page at ${from} may not call the engine.` } };
  }
  const parsed = methods[method].request.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
    return {
      ok: false,
      error: { kind: 'bad-request', message: `Invalid ${method} request${where}: ${issue?.message}.` },
    };
  }
  return { ok: true, request: parsed.data };
}
