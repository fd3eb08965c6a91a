/**
 * The browser's event link to `saddle serve` (renderer/src/connection.ts), against real servers: it
 * shows the server going away, reconnects when it is back, and says when it came back with a new token.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ConnectionState, linkEvents } from '../renderer/src/connection';
import type { EngineEvent } from '../src/api/contract';
import { startServer } from '../src/server/serve';
import { ROOT } from './helpers';

const serve = (port = 0) => startServer({ port, host: '127.0.0.1', staticDir: `${ROOT}/renderer` });

/** A tab opened with `token`: the socket and the probe carry it, as the page's cookie would. */
function tab(port: number, token: string) {
  const states: ConnectionState[] = [];
  const events: EngineEvent[] = [];
  const link = linkEvents({
    url: `ws://127.0.0.1:${port}/api/events?client=tab&token=${token}`,
    probe: async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/version`, {
          method: 'POST',
          body: '{}',
          headers: { authorization: `Bearer ${token}` },
        });
        return r.status === 403 ? 'forbidden' : 'ok';
      } catch {
        return 'unreachable';
      }
    },
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    retryMs: [50],
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const reaches = async (state: ConnectionState) => {
    for (let i = 0; i < 200 && link.state() !== state; i++) await new Promise((r) => setTimeout(r, 25));
    expect(link.state()).toBe(state);
  };
  return { link, states, events, reaches };
}

describe('the connection state a browser tab shows', () => {
  it('goes offline when the server stops, and reconnects when it comes back with the same token', async () => {
    const first = await serve();
    const t = tab(first.port, first.token);
    await t.reaches('connected');
    await first.close();
    await t.reaches('offline');
    // A server with no token requirement on the same port: the tab's token is not refused.
    const again = await startServer({
      port: first.port,
      host: '127.0.0.1',
      staticDir: `${ROOT}/renderer`,
      requireToken: false,
    });
    await t.reaches('connected');
    expect(t.states).toEqual(['connected', 'offline', 'connected']);
    t.link.close();
    await again.close();
  });

  it('says the token changed when the server restarted with a new one, and stops retrying', async () => {
    const first = await serve();
    const t = tab(first.port, first.token);
    await t.reaches('connected');
    await first.close();
    await t.reaches('offline');
    const restarted = await serve(first.port);
    expect(restarted.token).not.toBe(first.token);
    await t.reaches('token-changed');
    await new Promise((r) => setTimeout(r, 300));
    expect(t.states.at(-1)).toBe('token-changed');
    t.link.close();
    await restarted.close();
  });
});
