import type { EngineEvent, SaddleApi } from '../../src/api/contract';

/** What electron/preload.ts exposes: the contract's methods plus two host helpers. */
export interface ElectronBridge extends SaddleApi {
  /** The file's path on disk (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string;
  /** Engine events (progress, restarts); returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

declare global {
  interface Window {
    saddle?: ElectronBridge;
  }
}
