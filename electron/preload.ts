/** Sandboxed preload: exposes `window.saddle` (see bridge.ts) and nothing else. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { makeBridge } from './bridge';
import { ENGINE_RESTARTED_CHANNEL, EVENTS_PORT_CHANNEL } from './security';

const listeners = new Set<(data: unknown) => void>();
// The main process hands us one end of a MessagePort whose other end is the engine process;
// progress flows over it without passing through the main process.
ipcRenderer.on(EVENTS_PORT_CHANNEL, (event) => {
  const [port] = event.ports;
  port.onmessage = (m: MessageEvent) => {
    for (const l of listeners) l(m.data);
  };
  port.start();
});

// An engine crash is reported by the main process (the engine's port died with it).
ipcRenderer.on(ENGINE_RESTARTED_CHANNEL, (_event, message: string) => {
  for (const l of listeners) l({ type: 'engine-restarted', message });
});

contextBridge.exposeInMainWorld(
  'saddle',
  makeBridge({
    invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
    getPathForFile: (file) => webUtils.getPathForFile(file as File),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  }),
);
