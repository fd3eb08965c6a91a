/**
 * The UI's view of the engine. In Electron it is the preload's bridge; in a browser (saddle serve)
 * the same methods go over HTTP and events over a WebSocket. Nothing else in the UI knows the host.
 */
import {
  ApiCallError,
  type ApiResult,
  type EngineEvent,
  type MethodName,
  methodNames,
  type OpenedModel,
  type SaddleApi,
  type WeightsReport,
} from '../../src/api/contract';
import { type ConnectionState, connectionError, linkEvents } from './connection';

export interface Host {
  api: SaddleApi;
  kind: 'electron' | 'browser';
  /** Open a model file the user dropped or picked. */
  openFile(file: File): Promise<OpenedModel>;
  /** Bind a dropped checkpoint to the open model. */
  openWeights(modelId: string, file: File): Promise<WeightsReport>;
  /** Where the engine can read a chosen file: its path (Electron) or an uploaded copy's (browser). */
  uploadPath(file: File): Promise<string>;
  /** Import runs from a dropped saddle.db or Li .h5 surface file. */
  importRuns(file: File): Promise<{ summary: string }>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** The link to the engine: always 'connected' in Electron; in a browser it can drop and come back. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Also receive the progress of a run another client started (a browser gets only its own jobs'). */
  watchRun(runId: string): void;
}

export function connect(): Host {
  const bridge = window.saddle;
  if (bridge) {
    return {
      api: bridge,
      kind: 'electron',
      openFile: (file) => bridge.openModel({ path: bridge.pathForFile(file) }),
      openWeights: (modelId, file) => bridge.openWeights({ modelId, path: bridge.pathForFile(file) }),
      importRuns: (file) => bridge.importRuns({ path: bridge.pathForFile(file) }),
      uploadPath: async (file) => bridge.pathForFile(file),
      onEvent: (listener) => bridge.onEvent(listener),
      onConnection: () => () => {},
      watchRun: () => {},
    };
  }
  return browserHost();
}

/** This tab's id: the server sends a job's progress only to the tab that started it. */
const clientId = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join(
  '',
);

async function post<T>(path: string, body: BodyInit, contentType: string): Promise<T> {
  let response: globalThis.Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, 'x-saddle-client': clientId },
      credentials: 'same-origin',
    });
  } catch {
    // fetch's own "Failed to fetch" says nothing to a user: the server is gone.
    throw connectionError('offline');
  }
  let parsed: ApiResult<T>;
  try {
    parsed = (await response.json()) as ApiResult<T>;
  } catch {
    throw new ApiCallError({ kind: 'network', message: `The server answered ${response.status} without a result.` });
  }
  if (!parsed.ok && response.status === 403 && parsed.error.kind === 'forbidden')
    throw connectionError('token-changed');
  if (!parsed.ok) throw new ApiCallError(parsed.error);
  return parsed.result;
}

/** Upload a dropped file (a browser cannot give a path), then call the engine with the server-side path. */
async function withUpload<T>(file: File, call: (path: string) => Promise<T>): Promise<T> {
  const uploaded = await post<{ path: string }>(
    `/api/upload?name=${encodeURIComponent(file.name)}`,
    file,
    'application/octet-stream',
  );
  try {
    return await call(uploaded.path);
  } catch (e) {
    // The server's temporary copy means nothing to the user: name the file they dropped.
    if (!(e instanceof ApiCallError)) throw e;
    throw new ApiCallError({ ...e.error, message: e.message.replaceAll(uploaded.path, file.name) });
  }
}

function browserHost(): Host {
  const api = Object.fromEntries(
    methodNames.map((m: MethodName) => [
      m,
      (request: unknown) => post(`/api/${m}`, JSON.stringify(request ?? {}), 'application/json'),
    ]),
  ) as SaddleApi;
  const listeners = new Set<(event: EngineEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const link = linkEvents({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events?client=${clientId}`,
    probe: async () => {
      try {
        const r = await fetch('/api/version', { method: 'POST', body: '{}', credentials: 'same-origin' });
        return r.status === 403 ? 'forbidden' : 'ok';
      } catch {
        return 'unreachable';
      }
    },
    onEvent: (event) => {
      for (const l of listeners) l(event);
    },
    onState: (state) => {
      for (const l of stateListeners) l(state);
    },
  });
  return {
    api,
    kind: 'browser',
    openFile: (file) => withUpload(file, (path) => api.openModel({ path })),
    openWeights: (modelId, file) => withUpload(file, (path) => api.openWeights({ modelId, path })),
    uploadPath: (file) => withUpload(file, async (path) => path),
    importRuns: (file) =>
      withUpload(file, async (path) => {
        const r = await api.importRuns({ path });
        return { ...r, summary: r.summary.replaceAll(path, file.name) };
      }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnection: (listener) => {
      stateListeners.add(listener);
      listener(link.state());
      return () => stateListeners.delete(listener);
    },
    watchRun: (runId) => link.send({ watch: runId }),
  };
}
