/**
 * The wizards' form values and their checks. Plain functions, so the same rules decide what the form
 * shows as an error and whether Next is allowed.
 */
export interface EndpointForm {
  host: string;
  port: string;
  user: string;
  password: string;
}

export type FieldErrors<T> = Partial<Record<keyof T, 'required' | 'port' | 'host' | 'name' | 'weight' | 'position' | 'filter'>>;

export function checkEndpoint(e: EndpointForm, needPassword = true): FieldErrors<EndpointForm> {
  const errors: FieldErrors<EndpointForm> = {};
  if (!e.host.trim()) errors.host = 'required';
  else if (/\s/.test(e.host.trim())) errors.host = 'host';
  if (!isPort(e.port)) errors.port = 'port';
  if (!e.user.trim()) errors.user = 'required';
  if (needPassword && !e.password) errors.password = 'required';
  return errors;
}

export function isPort(v: string): boolean {
  return /^\d{1,5}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 65535;
}

/** Channel and fan-out names end up in file names and in SHOW SLAVE 'name' STATUS: keep them plain. */
export function isUnitName(v: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(v);
}

/** replicate-* filters, one entry per line, with MySQL's option names. */
export interface FilterForm {
  replicateDoDb: string;
  replicateIgnoreDb: string;
  replicateDoTable: string;
  replicateIgnoreTable: string;
  replicateWildDoTable: string;
  replicateWildIgnoreTable: string;
}

export function lines(v: string): string[] {
  return v
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Tables are "db.table"; the wild variants may use % and _ as in LIKE. */
export function checkFilters(f: FilterForm): FieldErrors<FilterForm> {
  const errors: FieldErrors<FilterForm> = {};
  const table = /^[^.\s]+\.[^.\s]+$/;
  for (const key of ['replicateDoTable', 'replicateIgnoreTable', 'replicateWildDoTable', 'replicateWildIgnoreTable'] as const) {
    if (lines(f[key]).some((l) => !table.test(l))) errors[key] = 'filter';
  }
  for (const key of ['replicateDoDb', 'replicateIgnoreDb'] as const) {
    if (lines(f[key]).some((l) => /[\s.]/.test(l))) errors[key] = 'filter';
  }
  return errors;
}

export interface StartForm {
  mode: 'clone' | 'position' | 'gtid';
  file: string;
  pos: string;
  gtid: string;
}

export function checkStart(s: StartForm): FieldErrors<StartForm> {
  const errors: FieldErrors<StartForm> = {};
  if (s.mode === 'position') {
    if (!/^[^\s/\\]+\.\d+$/.test(s.file.trim())) errors.file = 'position';
    if (!/^\d+$/.test(s.pos.trim()) || Number(s.pos) < 4) errors.pos = 'position';
  }
  if (s.mode === 'gtid' && !/^\d+-\d+-\d+(,\s*\d+-\d+-\d+)*$/.test(s.gtid.trim())) errors.gtid = 'position';
  return errors;
}

/** Quotes a value as a MySQL string literal, for the CHANGE MASTER TO statement shown for review. */
export function sqlString(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * What the wizard is about to do, in the words of the statement an administrator would have typed. The
 * password is never shown.
 */
export function changeMasterStatement(name: string, master: EndpointForm, start: StartForm): string {
  const parts = [`MASTER_HOST=${sqlString(master.host.trim())}`, `MASTER_PORT=${Number(master.port)}`, `MASTER_USER=${sqlString(master.user.trim())}`, "MASTER_PASSWORD='********'"];
  if (start.mode === 'position') parts.push(`MASTER_LOG_FILE=${sqlString(start.file.trim())}`, `MASTER_LOG_POS=${Number(start.pos)}`);
  if (start.mode === 'gtid') parts.push('MASTER_USE_GTID=slave_pos');
  const head = `CHANGE MASTER ${sqlString(name)} TO`;
  const body = parts.map((p) => `  ${p}`).join(',\n');
  const gtid = start.mode === 'gtid' ? `SET GLOBAL gtid_slave_pos = ${sqlString(start.gtid.trim())};\n` : '';
  return `${gtid}${head}\n${body};`;
}

export interface BackendForm {
  host: string;
  port: string;
  weight: string;
}

export function checkBackend(b: BackendForm): FieldErrors<BackendForm> {
  const errors: FieldErrors<BackendForm> = {};
  if (!b.host.trim()) errors.host = 'required';
  else if (/\s/.test(b.host.trim())) errors.host = 'host';
  if (!isPort(b.port)) errors.port = 'port';
  if (!/^\d+(\.\d+)?$/.test(b.weight.trim())) errors.weight = 'weight';
  return errors;
}

/** The backend lines of pgpool.conf for the entered servers, for review (pgpool's own parameter names). */
export function pgpoolBackendLines(backends: readonly BackendForm[]): string {
  return backends
    .map((b, i) => [`backend_hostname${i} = ${sqlString(b.host.trim())}`, `backend_port${i} = ${Number(b.port)}`, `backend_weight${i} = ${Number(b.weight)}`].join('\n'))
    .join('\n');
}
