import type { UserSecret } from '../../config/pgpool/pool-passwd';
import { BackendConnection, BackendLoginError } from '../../pg/backend/connection';
import { loadPgpoolConfig } from '../../pg/options';
import type { ApiHandlers } from '../methods';
import type { BackendCheck } from '../types';

/**
 * The fan-out wizard's "check each backend" step: one login per backend of a pgpool.conf, before anything
 * is started, so the user sees which server is unreachable or refuses the account while still in the wizard.
 * Logs in as `user` (default: health_check_user) with the password from health_check_password or pool_passwd.
 */
export function fanoutCheckHandlers(): Pick<ApiHandlers, 'fanouts.check'> {
  return {
    'fanouts.check': async ({ configPath, keyFile, user, database }) => {
      const loaded = loadPgpoolConfig(configPath, keyFile ? { keyFile } : {});
      const backends = await Promise.all(
        loaded.options.nodes.map(async (n): Promise<BackendCheck> => {
          const hc = n.healthCheck;
          const login = user ?? hc.user;
          const secret: UserSecret | undefined = !user && hc.password ? { user: hc.user, password: hc.password } : safeLookup(() => loaded.options.passwords.lookup(login));
          const started = Date.now();
          const base = { nodeId: n.id, hostname: n.host, port: n.port, weight: n.weight };
          try {
            const conn = await BackendConnection.connect(n, {
              user: login,
              database: database ?? (hc.database || 'postgres'),
              params: new Map([['application_name', 'replicadesk check']]),
              secret,
              connectTimeoutMs: (hc.timeout || 10) * 1000,
            });
            const serverVersion = conn.params.get('server_version') ?? null;
            conn.close();
            return { ...base, reachable: true, login: 'ok', user: login, serverVersion, message: '', ms: Date.now() - started };
          } catch (err) {
            if (err instanceof BackendLoginError) {
              return { ...base, reachable: true, login: 'refused', user: login, serverVersion: null, message: err.message, sqlState: err.fields.C ?? null, ms: Date.now() - started };
            }
            return { ...base, reachable: false, login: 'untested', user: login, serverVersion: null, message: (err as Error).message, ms: Date.now() - started };
          }
        }),
      );
      return { backends, diagnostics: loaded.diagnostics };
    },
  };
}

function safeLookup<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
