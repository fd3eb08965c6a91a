/**
 * The engine's side of the contract. One instance per engine process (the Electron utilityProcess,
 * `saddle serve`, or a CLI command); hosts call it through `dispatch`.
 */
import { randomUUID } from 'node:crypto';
import { openModelFile } from '../model/open';
import { demoPaths } from '../resources';
import { SADDLE_VERSION } from '../version';
import type { EngineEvent, OpenedModel, Request, Response, SaddleApi, VersionInfo } from './contract';

export type EventSink = (event: EngineEvent) => void;

export class SaddleService implements SaddleApi {
  private readonly models = new Map<string, OpenedModel>();

  constructor(
    private readonly host: VersionInfo['host'],
    private readonly emit: EventSink = () => {},
  ) {}

  async version(): Promise<VersionInfo> {
    return { version: SADDLE_VERSION, host: this.host };
  }

  async openModel(request: Request<'openModel'>): Promise<Response<'openModel'>> {
    const job = randomUUID();
    this.emit({ type: 'progress', job, stage: 'reading', done: 0, total: 1, message: request.path });
    const info = await openModelFile(request.path);
    this.emit({ type: 'progress', job, stage: 'reading', done: 1, total: 1 });
    const opened = { modelId: job, info };
    this.models.set(job, opened);
    return opened;
  }

  async openDemo(): Promise<Response<'openDemo'>> {
    return this.openModel({ path: demoPaths().model });
  }
}
