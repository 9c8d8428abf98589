/**
 * The one service contract. The Electron preload and the headless HTTP/WebSocket server both expose exactly
 * this; the renderer programs against `ReplicaDeskApi` and never knows which transport it has.
 */
import type { ChannelSummary, FanoutSummary, HistoryEntry, ServiceInfo, Severity } from './types';

export type Empty = Record<string, never>;

export interface ApiMethods {
  'service.info': { kind: 'query'; params: Empty; result: ServiceInfo };
  'channels.list': { kind: 'query'; params: Empty; result: ChannelSummary[] };
  'fanouts.list': { kind: 'query'; params: Empty; result: FanoutSummary[] };
  'history.list': {
    kind: 'query';
    params: { limit?: number; beforeId?: number; source?: string; severity?: Severity };
    result: HistoryEntry[];
  };
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];

/** Pushed to every subscriber as things happen. */
export type ApiEvent =
  | { type: 'history'; entry: HistoryEntry }
  | { type: 'channels'; channels: ChannelSummary[] }
  | { type: 'fanouts'; fanouts: FanoutSummary[] }
  | { type: 'service.stopping' };

export interface ReplicaDeskApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Returns the function that unsubscribes. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** Wire format of one call, the same over HTTP and Electron IPC. */
export interface ApiRequest {
  method: string;
  params?: unknown;
}

export type ApiResponse = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
