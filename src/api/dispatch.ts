/**
 * Validate a request against the contract, call the service, and wrap the outcome so it can cross
 * a process or network boundary. Shared by the Electron engine process and `saddle serve`.
 */
import { type ApiResult, isMethodName, methods, type SaddleApi } from './contract';

export async function dispatch(api: SaddleApi, method: string, payload: unknown): Promise<ApiResult<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { kind: 'bad-request', message: `Unknown method '${method}'.` } };
  }
  const parsed = methods[method].request.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'request';
    return {
      ok: false,
      error: { kind: 'bad-request', message: `Invalid ${method} request: ${where}: ${issue?.message}.` },
    };
  }
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the request was validated by this method's schema just above.
    const result = await (api[method] as (r: any) => Promise<unknown>)(parsed.data);
    return { ok: true, result };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

export function toApiError(e: unknown): { kind: string; message: string } {
  if (e instanceof Error) {
    const kind = 'kind' in e && typeof e.kind === 'string' ? e.kind : e.name;
    return { kind, message: e.message };
  }
  return { kind: 'Error', message: String(e) };
}
