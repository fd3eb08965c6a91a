/**
 * Which browser gets which event. A job's progress goes to the client that started it (the client id
 * its API call carried) and to clients watching that run; what every list shows (runs-changed,
 * engine-restarted) goes to all. Another client's file paths and progress never reach a browser.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WebSocket } from 'ws';
import type { EngineEvent } from '../api/contract';

export const CLIENT_HEADER = 'x-saddle-client';
export const CLIENT_ID = /^[\w-]{1,64}$/;

interface Client {
  id: string | null;
  watching: Set<string>;
}

export class EventRouter {
  private readonly sockets = new Map<WebSocket, Client>();
  private readonly jobOwners = new Map<string, string | null>();
  /** The client whose API call is being served, for events a call emits under a job id of its own. */
  private readonly caller = new AsyncLocalStorage<string | null>();

  add(ws: WebSocket, clientId: string | null): void {
    const client: Client = { id: clientId, watching: new Set() };
    this.sockets.set(ws, client);
    ws.on('close', () => this.sockets.delete(ws));
    // A client may listen to a run another client started: {"watch": runId} / {"unwatch": runId}.
    ws.on('message', (m) => {
      try {
        const msg = JSON.parse(String(m)) as { watch?: unknown; unwatch?: unknown };
        if (typeof msg.watch === 'string' && client.watching.size < 100) client.watching.add(msg.watch);
        if (typeof msg.unwatch === 'string') client.watching.delete(msg.unwatch);
      } catch {
        // Not a message this server knows; ignored.
      }
    });
  }

  /** Serve one API call on behalf of `clientId`; its `job` (if any) belongs to that client meanwhile. */
  async asCaller<T>(clientId: string | null, job: string | undefined, call: () => Promise<T>): Promise<T> {
    // Registered even without a client id: a queued job may start inside another caller's context.
    if (job) this.jobOwners.set(job, clientId);
    try {
      return await this.caller.run(clientId, call);
    } finally {
      if (job && this.jobOwners.get(job) === clientId) this.jobOwners.delete(job);
    }
  }

  send(event: EngineEvent): void {
    const text = JSON.stringify(event);
    if (event.type !== 'progress') {
      for (const ws of this.sockets.keys()) ws.send(text);
      return;
    }
    const owner = this.jobOwners.has(event.job) ? this.jobOwners.get(event.job) : this.caller.getStore();
    for (const [ws, client] of this.sockets) {
      const owns = owner != null && client.id === owner;
      const watches = event.runId !== undefined && client.watching.has(event.runId);
      if (owns || watches) ws.send(text);
    }
  }

  closeAll(): void {
    for (const ws of this.sockets.keys()) ws.terminate();
  }
}
