import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatch, type ApiHandlers } from '../../core/api/methods';

const seen: unknown[] = [];
const handlers = {
  'service.info': async () => {
    throw Object.assign(new Error('boom'), { code: 'X_TEST' });
  },
  'channels.list': async () => [],
  'fanouts.list': async () => [],
  'history.list': async (p: unknown) => {
    seen.push(p);
    return [];
  },
} as unknown as ApiHandlers; // only the methods these tests call

test('valid parameters reach the handler, normalised', async () => {
  seen.length = 0;
  assert.deepEqual(await dispatch(handlers, { method: 'history.list', params: { limit: 5, severity: 'error' } }), { ok: true, result: [] });
  assert.deepEqual(await dispatch(handlers, { method: 'history.list' }), { ok: true, result: [] });
  assert.deepEqual(seen, [{ limit: 5, severity: 'error' }, {}]);
});

test('malformed requests get typed errors and never reach a handler', async () => {
  seen.length = 0;
  const cases: [unknown, string][] = [
    [null, 'API_BAD_REQUEST'],
    ['history.list', 'API_BAD_REQUEST'],
    [[1, 2], 'API_BAD_REQUEST'],
    [{ method: 'nope' }, 'API_UNKNOWN_METHOD'],
    [{ method: '__proto__' }, 'API_UNKNOWN_METHOD'],
    [{ method: 'toString' }, 'API_UNKNOWN_METHOD'],
    [{ method: 'history.list', params: { limit: 0 } }, 'API_BAD_PARAMS'],
    [{ method: 'history.list', params: { limit: 1.5 } }, 'API_BAD_PARAMS'],
    [{ method: 'history.list', params: { limit: '5' } }, 'API_BAD_PARAMS'],
    [{ method: 'history.list', params: { severity: 'fatal' } }, 'API_BAD_PARAMS'],
    [{ method: 'history.list', params: { limitt: 5 } }, 'API_BAD_PARAMS'],
    [{ method: 'history.list', params: [] }, 'API_BAD_PARAMS'],
  ];
  for (const [req, code] of cases) {
    const res = await dispatch(handlers, req);
    assert.equal(res.ok, false, JSON.stringify(req));
    assert.equal(!res.ok && res.error.code, code, JSON.stringify(req));
  }
  assert.equal(seen.length, 0);
});

test('a handler that throws becomes an error response with its code', async () => {
  assert.deepEqual(await dispatch(handlers, { method: 'service.info', params: {} }), { ok: false, error: { code: 'X_TEST', message: 'boom' } });
});
