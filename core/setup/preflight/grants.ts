/**
 * Reading SHOW GRANTS. Only global grants (ON *.*) count for replication; database-level grants count for
 * the copy. Roles are not expanded (a user who gets privileges only through a role shows as missing them,
 * which errs on the side of telling the user).
 */

export interface ParsedGrant {
  privileges: Set<string>;
  schema: string;
  table: string;
}

export function parseGrant(line: string): ParsedGrant | undefined {
  const m = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?: BODY)?)\s+)?(`(?:[^`]|``)*`|\*|[^.\s]+)\.(`(?:[^`]|``)*`|\*|\S+)\s+TO\s/i.exec(line.trim());
  if (!m) return undefined;
  const privileges = new Set(
    m[1]!
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((p) => p.trim().toUpperCase().replace(/\s+/g, ' '))
      .filter(Boolean),
  );
  const unq = (s: string) => (s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s);
  return { privileges, schema: unq(m[2]!), table: unq(m[3]!) };
}

/** Whether the global grants include any of `anyOf` (ALL PRIVILEGES includes everything). */
export function hasGlobal(grants: string[], anyOf: string[]): boolean {
  for (const g of grants.map(parseGrant)) {
    if (!g || g.schema !== '*' || g.table !== '*') continue;
    if (g.privileges.has('ALL PRIVILEGES') || g.privileges.has('ALL')) return true;
    if (anyOf.some((p) => g.privileges.has(p))) return true;
  }
  return false;
}

/** Whether `privilege` holds globally or on every schema in `schemas`. */
export function hasOnSchemas(grants: string[], privilege: string, schemas: string[]): boolean {
  if (hasGlobal(grants, [privilege])) return true;
  if (schemas.length === 0) return false;
  const covered = new Set<string>();
  for (const g of grants.map(parseGrant)) {
    if (!g || g.table !== '*' || g.schema === '*') continue;
    if (g.privileges.has(privilege) || g.privileges.has('ALL PRIVILEGES') || g.privileges.has('ALL')) covered.add(g.schema);
  }
  return schemas.every((s) => covered.has(s));
}

/** "repl@10.1.%" → `'repl'@'10.1.%'`, quoted for a GRANT statement. */
export function quoteAccount(userAtHost: string): string {
  const at = userAtHost.lastIndexOf('@');
  const user = at < 0 ? userAtHost : userAtHost.slice(0, at);
  const host = at < 0 ? '%' : userAtHost.slice(at + 1);
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `${q(user)}@${q(host)}`;
}

/** Removes password hashes and secrets from a SHOW GRANTS line before it is kept anywhere. */
export function redactGrant(line: string): string {
  return line
    .replace(/IDENTIFIED BY PASSWORD\s+'[^']*'/gi, "IDENTIFIED BY PASSWORD '***'")
    .replace(/(IDENTIFIED (?:VIA|WITH)\s+\S+\s+(?:USING|AS|BY)\s+)'[^']*'/gi, "$1'***'")
    .replace(/PASSWORD\('[^']*'\)/gi, "PASSWORD('***')");
}

/** Authentication plugin as MariaDB's SHOW GRANTS reveals it. */
export function pluginFromGrants(grants: string[]): string | undefined {
  for (const g of grants) {
    const via = /IDENTIFIED\s+(?:VIA|WITH)\s+([A-Za-z0-9_]+)/i.exec(g);
    if (via) return via[1]!.toLowerCase();
    if (/IDENTIFIED BY PASSWORD/i.test(g)) return 'mysql_native_password';
  }
  return undefined;
}
