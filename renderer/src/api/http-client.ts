import type { ApiEvent, ApiMethod, ApiParams, ApiResponse, ApiResult, ReplicaDeskApi } from '../../../core/api/contract';

export class ApiCallError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/**
 * The service contract over HTTP + WebSocket (headless mode). The token arrives once in the URL fragment
 * (never sent to the server in a URL), is kept for the tab's session, and removed from the address bar.
 */
export function createHttpApi(base: URL, token: string): ReplicaDeskApi {
  const listeners = new Set<(e: ApiEvent) => void>();
  let socket: WebSocket | undefined;
  let retry = 0;

  const connect = () => {
    const wsUrl = new URL('api/events', base);
    wsUrl.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    wsUrl.searchParams.set('token', token);
    socket = new WebSocket(wsUrl);
    socket.onopen = () => (retry = 0);
    socket.onmessage = (m) => {
      const event = JSON.parse(String(m.data)) as ApiEvent;
      for (const l of listeners) l(event);
    };
    socket.onclose = () => {
      socket = undefined;
      // Reconnect with a capped back-off while anyone is listening (the service may be restarting).
      if (listeners.size) setTimeout(connect, Math.min(10_000, 500 * 2 ** retry++));
    };
  };

  return {
    async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
      const res = await fetch(new URL('api/call', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ method, params }),
      });
      const body = (await res.json()) as ApiResponse;
      if (!body.ok) throw new ApiCallError(body.error.code, body.error.message);
      return body.result as ApiResult<M>;
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (!listeners.size) socket?.close();
      };
    },
  };
}

export function tokenFromLocation(): string | undefined {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('replicadesk.token', fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem('replicadesk.token') ?? undefined;
}
