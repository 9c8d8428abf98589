/**
 * Just enough reading of pgpool.conf text to show and edit the backends and the port in a form. The
 * config engine (pgpool.plan / pgpool.apply) does the real parsing, validation and writing; this only
 * finds the values to start the form from, and turns the form's changes into the engine's edit operations.
 */
export interface PgpoolBackendRow {
  /** The N in backend_hostnameN; undefined for a server added in the form. */
  index?: number;
  hostname: string;
  port: string;
  weight: string;
}

export type PgpoolEditOp =
  | { op: 'set'; key: string; value: string | number | boolean }
  | { op: 'remove'; key: string }
  | { op: 'add-backend'; backend: { hostname: string; port: number; weight?: number } }
  | { op: 'set-backend'; index: number; backend: { hostname?: string; port?: number; weight?: number } }
  | { op: 'remove-backend'; index: number };

const LINE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'((?:[^'\\]|\\.|'')*)'|([^#\s]*))/;

/** Last setting of each key wins, as in pgpool. */
export function readSettings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (m) out.set(m[1]!.toLowerCase(), (m[2] ?? m[3] ?? '').replace(/''/g, "'").replace(/\\'/g, "'"));
  }
  return out;
}

export function readBackends(text: string): { backends: PgpoolBackendRow[]; port: string } {
  const s = readSettings(text);
  const indexes = new Set<number>();
  for (const key of s.keys()) {
    const m = /^backend_hostname(\d+)$/.exec(key);
    if (m) indexes.add(Number(m[1]));
  }
  const backends = [...indexes]
    .sort((a, b) => a - b)
    .map((i) => ({ index: i, hostname: s.get(`backend_hostname${i}`) ?? '', port: s.get(`backend_port${i}`) ?? '5432', weight: s.get(`backend_weight${i}`) ?? '1' }));
  return { backends, port: s.get('port') ?? '9999' };
}

/** The edit operations that turn `before` into `after` (rows matched by their backend index). */
export function backendEdits(before: { backends: PgpoolBackendRow[]; port: string }, after: { backends: PgpoolBackendRow[]; port: string }): PgpoolEditOp[] {
  const edits: PgpoolEditOp[] = [];
  if (after.port.trim() !== before.port.trim()) edits.push({ op: 'set', key: 'port', value: Number(after.port) });
  const kept = new Set(after.backends.filter((b) => b.index !== undefined).map((b) => b.index));
  for (const b of before.backends) if (b.index !== undefined && !kept.has(b.index)) edits.push({ op: 'remove-backend', index: b.index });
  for (const b of after.backends) {
    if (b.index === undefined) {
      edits.push({ op: 'add-backend', backend: { hostname: b.hostname.trim(), port: Number(b.port), weight: Number(b.weight) } });
      continue;
    }
    const old = before.backends.find((x) => x.index === b.index);
    if (!old) continue;
    const change: { hostname?: string; port?: number; weight?: number } = {};
    if (old.hostname !== b.hostname.trim()) change.hostname = b.hostname.trim();
    if (Number(old.port) !== Number(b.port)) change.port = Number(b.port);
    if (Number(old.weight) !== Number(b.weight)) change.weight = Number(b.weight);
    if (Object.keys(change).length) edits.push({ op: 'set-backend', index: b.index, backend: change });
  }
  return edits;
}
