/**
 * The browser's link to `saddle serve`: the events WebSocket, reconnected when it drops, and a state
 * the page shows. When the socket closes we ask the server who we are: no answer means it is gone
 * (keep trying), a 403 means it restarted with a new token (this page's token is dead: say so, stop).
 * Browser-safe and free of the DOM, so it can be tested against a real server in Node.
 */
import { ApiCallError, type EngineEvent } from '../../src/api/contract';

export type ConnectionState = 'connecting' | 'connected' | 'offline' | 'token-changed';

export const CONNECTION_MESSAGES: Record<ConnectionState, string> = {
  connecting: 'Connecting to the Saddle server…',
  connected: 'Connected',
  offline: 'The Saddle server cannot be reached (stopped, or the network is down); reconnecting…',
  'token-changed':
    'The Saddle server restarted with a new access token: open the URL that `saddle serve` printed to reconnect.',
};

/** The error an API call gets when the server is gone or no longer takes this page's token. */
export function connectionError(state: 'offline' | 'token-changed'): ApiCallError {
  return new ApiCallError({ kind: state, message: CONNECTION_MESSAGES[state] });
}

export function isConnectionError(e: unknown): boolean {
  return e instanceof ApiCallError && (e.error.kind === 'offline' || e.error.kind === 'token-changed');
}

export interface EventLinkOptions {
  /** ws(s)://host/api/events?client=… */
  url: string;
  /** Whether the server still takes our token: 'ok', 'forbidden' (a 403) or 'unreachable'. */
  probe(): Promise<'ok' | 'forbidden' | 'unreachable'>;
  onEvent(event: EngineEvent): void;
  onState(state: ConnectionState): void;
  /** Delays between reconnection attempts, in ms; the last repeats. */
  retryMs?: number[];
  WebSocketImpl?: typeof WebSocket;
}

export interface EventLink {
  state(): ConnectionState;
  /** Send a message to the server (e.g. {watch: runId}), when connected. */
  send(message: unknown): void;
  close(): void;
}

export function linkEvents(o: EventLinkOptions): EventLink {
  const WS = o.WebSocketImpl ?? WebSocket;
  const retry = o.retryMs ?? [500, 1000, 2000, 5000];
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | null = null;
  let attempt = 0;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    o.onState(next);
  };

  const open = () => {
    const ws = new WS(o.url);
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      setState('connected');
    });
    ws.addEventListener('message', (m) => {
      try {
        o.onEvent(JSON.parse(String(m.data)) as EngineEvent);
      } catch {
        // Not an event; ignored.
      }
    });
    // A refused socket (403) fires 'error' then 'close'; 'close' decides what happens next.
    ws.addEventListener('error', () => {});
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null;
      if (!closed) void check();
    });
  };

  /** After a drop or a refused socket: is the server gone, or does it no longer take our token? */
  const check = async () => {
    const answer = await o.probe();
    if (closed) return;
    if (answer === 'forbidden') {
      setState('token-changed');
      return;
    }
    if (answer === 'unreachable') setState('offline');
    const delay = retry[Math.min(attempt++, retry.length - 1)];
    timer = setTimeout(() => {
      timer = null;
      if (!closed) open();
    }, delay);
  };

  open();
  return {
    state: () => state,
    send: (message) => {
      if (socket?.readyState === WS.OPEN) socket.send(JSON.stringify(message));
    },
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
