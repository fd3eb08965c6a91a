/**
 * The engine's utilityProcess entry: the SaddleService behind a message loop. Requests come from
 * the main process on parentPort; events go out on the MessagePort the main process sends us.
 */
import type { MessagePortMain } from 'electron';
import { dispatch } from '../src/api/dispatch';
import { SaddleService } from '../src/api/service';
import { RunStore } from '../src/store/store';

type EngineRequest = { id: number; method: string; payload: unknown };

let events: MessagePortMain | null = null;
// The main process passes the runs database in the app's data folder as --db=PATH.
const dbArg = process.argv.find((a) => a.startsWith('--db='));
const store = dbArg ? new RunStore(dbArg.slice('--db='.length)) : null;
const service = new SaddleService('electron', (event) => events?.postMessage(event), store);

process.parentPort.on('message', async (message) => {
  const data = message.data as { type: 'events-port' } | ({ type: 'call' } & EngineRequest);
  if (data.type === 'events-port') {
    events = message.ports[0] ?? null;
    events?.start();
    return;
  }
  const outcome = await dispatch(service, data.method, data.payload);
  process.parentPort.postMessage({ id: data.id, outcome });
});
