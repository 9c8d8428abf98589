import { ReplicaDeskError, toErrorInfo } from '../errors';
import type { ApiMethod, ApiParams, ApiResponse, ApiResult } from './contract';
import { type Check, int, obj, oneOf, optional, str } from './schema';

/** The accepted parameter shape of every method; a method missing here is a compile error. */
export const METHOD_PARAMS: { [M in ApiMethod]: Check<ApiParams<M>> } = {
  'service.info': obj({}),
  'channels.list': obj({}),
  'fanouts.list': obj({}),
  'history.list': obj({
    limit: optional(int({ min: 1, max: 1000 })),
    beforeId: optional(int({ min: 1 })),
    source: optional(str({ max: 200 })),
    severity: optional(oneOf('info', 'warning', 'error')),
  }),
};

export type ApiHandlers = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>> };

function isMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHOD_PARAMS, name);
}

/**
 * Validates and runs one untrusted request. Never throws: every failure becomes an error response, so a
 * bad request cannot take the service down, whichever transport carried it.
 */
export async function dispatch(handlers: ApiHandlers, request: unknown): Promise<ApiResponse> {
  try {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new ReplicaDeskError('API_BAD_REQUEST', 'A request must be an object with "method" and "params".');
    }
    const { method, params } = request as { method?: unknown; params?: unknown };
    if (!isMethod(method)) {
      throw new ReplicaDeskError('API_UNKNOWN_METHOD', `Unknown method ${JSON.stringify(String(method)).slice(0, 100)}.`);
    }
    const checked = (METHOD_PARAMS[method] as Check<unknown>)(params, 'params');
    const handler = handlers[method] as (p: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(checked) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
