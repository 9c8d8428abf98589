import { ReplicaDeskError, toErrorInfo } from '../errors';
import type { ApiMethod, ApiParams, ApiResponse, ApiResult } from './contract';
import { SETTING_KEYS } from './handlers/settings';
import type { SettingKey } from './types';
import { type Check, arr, bool, int, lit, mysqlEndpoint, nullable, obj, oneOf, optional, str, tagged } from './schema';

const dbName = str({ max: 64 });
const mycnfPath = str({ max: 4096, pattern: /(^|[/\\])(my\.cnf|my\.ini|[^/\\]+\.cnf|[^/\\]+\.ini)$/ });
const cnfName = str({ max: 200 });
const mycnfEdit = tagged<ApiParams<'mycnf.plan'>['edits'][number]>('op', {
  set: obj({ op: lit('set'), group: cnfName, key: cnfName, value: nullable(str({ max: 4096 })) }),
  add: obj({ op: lit('add'), group: cnfName, key: cnfName, value: nullable(str({ max: 4096 })) }),
  remove: obj({ op: lit('remove'), group: cnfName, key: cnfName, value: optional(nullable(str({ max: 4096 }))) }),
});
const pgpoolPath = str({ max: 4096, pattern: /\.conf$/ });
const scalar: Check<string | number | boolean> = (v, where) => {
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return str({ max: 4096 })(v, where);
};
const intOrStr: Check<string | number> = (v, where) => (typeof v === 'number' ? int({ min: 0, max: 65535 })(v, where) : str({ max: 32 })(v, where));
const backendFields = {
  hostname: optional(str({ max: 1024 })),
  port: optional(intOrStr),
  weight: optional(scalar as Check<string | number>),
  dataDirectory: optional(str({ max: 4096 })),
  flag: optional(str({ max: 200 })),
  applicationName: optional(str({ max: 200 })),
};
const backendIndex = int({ min: 0, max: 127 });
const pgpoolEdit = tagged<ApiParams<'pgpool.plan'>['edits'][number]>('op', {
  set: obj({ op: lit('set'), key: str({ max: 100 }), value: scalar }),
  remove: obj({ op: lit('remove'), key: str({ max: 100 }) }),
  'add-backend': obj({ op: lit('add-backend'), backend: obj({ ...backendFields, hostname: str({ max: 1024 }), port: intOrStr }), index: optional(backendIndex) }),
  'set-backend': obj({ op: lit('set-backend'), index: backendIndex, backend: obj(backendFields) }),
  'remove-backend': obj({ op: lit('remove-backend'), index: backendIndex }),
});
const lineNo = int({ min: 1, max: 1_000_000 });
const hbaRule: Check<ApiParams<'poolHba.plan'>['edits'][number] extends infer E ? (E extends { rule: infer R } ? R : never) : never> = (v, where) =>
  typeof v === 'string'
    ? str({ max: 1000 })(v, where)
    : (obj({
        type: oneOf('local', 'host', 'hostssl', 'hostnossl'),
        databases: arr(str({ max: 200 }), { max: 100 }),
        users: arr(str({ max: 200 }), { max: 100 }),
        address: optional(str({ max: 200 })),
        method: oneOf('trust', 'reject', 'md5', 'scram-sha-256', 'password', 'pam', 'ldap', 'cert'),
        options: optional(((o: unknown, w: string) => {
          if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ReplicaDeskError('API_BAD_PARAMS', `${w}: expected an object`, { where: w });
          return Object.fromEntries(Object.entries(o).map(([k, x]) => [str({ max: 100 })(k, w), str({ max: 1000 })(x, `${w}.${k}`)]));
        }) as Check<Record<string, string>>),
      })(v, where) as never);
const hbaEdit = tagged<ApiParams<'poolHba.plan'>['edits'][number]>('op', {
  'add-rule': obj({ op: lit('add-rule'), rule: hbaRule, before: optional(lineNo) }),
  'remove-rule': obj({ op: lit('remove-rule'), line: lineNo }),
  'set-rule': obj({ op: lit('set-rule'), line: lineNo, rule: hbaRule }),
  'move-rule': obj({ op: lit('move-rule'), line: lineNo, before: optional(lineNo) }),
});
const channelNeed = obj({ channel: str({ max: 64 }), file: str({ max: 255 }), position: optional(int({ min: 0 })) });
const channelName = str({ max: 64, pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/ });
const thread = optional(oneOf('io', 'sql', 'both'));
const binlogPos = obj({ file: str({ max: 255 }), pos: int({ min: 4 }) });
const names = optional(arr(str({ max: 200 }), { max: 500 }));
const filters = obj({
  doDb: names,
  ignoreDb: names,
  doTable: names,
  ignoreTable: names,
  wildDoTable: names,
  wildIgnoreTable: names,
  rewriteDb: optional(arr(obj({ from: str({ max: 64 }), to: str({ max: 64 }) }), { max: 100 })),
});
const startAt: Check<{ file: string; pos: number } | { gtid: string }> = (v, where) =>
  typeof v === 'object' && v !== null && 'gtid' in v ? obj({ gtid: str({ max: 4096 }) })(v, where) : binlogPos(v, where);
const masterSetup = {
  admin: mysqlEndpoint,
  replicaHost: str({ max: 255 }),
  replicationUser: optional(str({ max: 80 })),
  retentionDays: optional(int({ min: 1, max: 3650 })),
  forCopy: optional(bool),
};

const settingKey = oneOf(...(Object.keys(SETTING_KEYS) as SettingKey[]));

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
  'channels.status': obj({ name: channelName }),
  'channels.create': obj({
    name: channelName,
    master: mysqlEndpoint,
    target: mysqlEndpoint,
    start: startAt,
    serverId: optional(int({ min: 1, max: 4294967295 })),
    connectRetry: optional(int({ min: 1, max: 86400 })),
    filters: optional(filters),
    execMode: optional(oneOf('STRICT', 'IDEMPOTENT')),
    description: optional(str({ max: 500 })),
  }),
  'channels.metrics': obj({ name: channelName }),
  'channels.reclone': obj({ name: channelName, parallel: optional(int({ min: 1, max: 16 })) }),
  'channels.start': obj({ name: channelName, thread, until: optional(binlogPos) }),
  'channels.stop': obj({ name: channelName, thread }),
  'channels.skip': obj({ name: channelName, count: int({ min: 0, max: 1_000_000 }) }),
  'channels.reset': obj({ name: channelName, all: optional(bool) }),
  'channels.delete': obj({ name: channelName }),
  'channels.startAll': obj({}),
  'channels.stopAll': obj({}),
  'fanouts.create': obj({ name: channelName, configPath: str({ max: 4096 }), keyFile: optional(str({ max: 4096 })) }),
  'fanouts.start': obj({ name: channelName }),
  'fanouts.stop': obj({ name: channelName }),
  'fanouts.delete': obj({ name: channelName }),
  'fanouts.nodes': obj({ name: channelName }),
  'fanouts.attach': obj({ name: channelName, nodeId: int({ min: 0, max: 127 }) }),
  'fanouts.detach': obj({ name: channelName, nodeId: int({ min: 0, max: 127 }) }),
  'fanouts.check': obj({ configPath: str({ max: 4096 }), keyFile: optional(str({ max: 4096 })), user: optional(str({ max: 200 })), database: optional(str({ max: 200 })) }),
  'fanouts.recover': obj({ name: channelName, nodeId: int({ min: 0, max: 127 }) }),
  'setup.preflight': obj({ master: mysqlEndpoint, target: mysqlEndpoint, maxOfflineHours: optional(int({ min: 1, max: 24 * 365 })) }),
  'setup.masterPlan': obj(masterSetup),
  'setup.masterApply': obj({ ...masterSetup, password: optional(str({ max: 200 })) }),
  'pgpool.read': obj({ path: pgpoolPath }),
  'pgpool.create': obj({
    dir: str({ max: 4096 }),
    setup: obj({
      listenAddresses: str({ max: 200 }),
      port: int({ min: 1, max: 65535 }),
      backends: arr(obj({ hostname: str({ max: 255 }), port: int({ min: 1, max: 65535 }), weight: int({ min: 0, max: 1_000_000 }) }), { max: 64 }),
      users: arr(obj({ name: str({ max: 63 }), password: str({ max: 1000 }) }), { max: 100 }),
      authMethod: oneOf('scram-sha-256', 'md5'),
      clientNetworks: arr(str({ max: 100 }), { max: 50 }),
      healthCheckPeriod: int({ min: 0, max: 86400 }),
    }),
  }),
  'pgpool.plan': obj({ path: pgpoolPath, edits: arr(pgpoolEdit, { max: 200 }) }),
  'pgpool.apply': obj({ path: pgpoolPath, edits: arr(pgpoolEdit, { max: 200 }) }),
  'poolHba.plan': obj({ path: pgpoolPath, edits: arr(hbaEdit, { max: 200 }) }),
  'poolHba.apply': obj({ path: pgpoolPath, edits: arr(hbaEdit, { max: 200 }) }),
  'mycnf.read': obj({ path: mycnfPath }),
  'mycnf.plan': obj({ path: mycnfPath, edits: arr(mycnfEdit, { max: 200 }) }),
  'mycnf.apply': obj({ path: mycnfPath, edits: arr(mycnfEdit, { max: 200 }) }),
  'clone.start': obj({
    source: mysqlEndpoint,
    target: mysqlEndpoint,
    databases: optional(arr(dbName, { max: 1000 })),
    parallel: optional(int({ min: 1, max: 16 })),
    replace: optional(bool),
    method: optional(oneOf('auto', 'insert')),
    targetBinlog: optional(bool),
  }),
  'purge.list': obj({ master: mysqlEndpoint, needs: optional(arr(channelNeed, { max: 1000 })) }),
  'purge.run': obj({ master: mysqlEndpoint, needs: optional(arr(channelNeed, { max: 1000 })), purgeTo: str({ max: 255 }) }),
  'jobs.list': obj({}),
  'jobs.cancel': obj({ id: str({ max: 64 }) }),
  'settings.get': obj({ key: settingKey }),
  'settings.set': obj({ key: settingKey, value: str({ max: 100 }) }),
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
