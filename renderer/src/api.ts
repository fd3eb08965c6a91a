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
    };
  }
  return browserHost();
}

async function post<T>(path: string, body: BodyInit, contentType: string): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
    credentials: 'same-origin',
  });
  let parsed: ApiResult<T>;
  try {
    parsed = (await response.json()) as ApiResult<T>;
  } catch {
    throw new ApiCallError({ kind: 'network', message: `The server answered ${response.status} without a result.` });
  }
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
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`);
  socket.addEventListener('message', (m) => {
    const event = JSON.parse(String(m.data)) as EngineEvent;
    for (const l of listeners) l(event);
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
  };
}
