/**
 * Option-name identity as the server sees it: "-" and "_" are the same character, and the "loose-" prefix
 * only says "do not fail if unknown". Prefixes skip-/disable-/enable- turn a boolean option off or on.
 * Names stay case-sensitive (the server compares them so); group names do not.
 */

export function canonicalName(name: string): string {
  let n = name.trim().replace(/-/g, '_');
  if (n.startsWith('loose_')) n = n.slice(6);
  return n;
}

export interface BooleanForm {
  /** The option the prefix applies to, canonical. */
  option: string;
  /** Value the prefix implies: skip_/disable_ → "0", enable_ → "1". */
  value: '0' | '1';
}

/** "skip-log-bin" → { option: "log_bin", value: "0" }; undefined when the name has no such prefix. */
export function booleanPrefix(name: string): BooleanForm | undefined {
  const n = canonicalName(name);
  const m = /^(skip|disable|enable)_(.+)$/.exec(n);
  if (!m) return undefined;
  return { option: m[2]!, value: m[1] === 'enable' ? '1' : '0' };
}

export function sameGroup(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The groups mariadbd/mysqld reads, in no particular priority (the last occurrence in reading order wins,
 * whatever its group). `version` like "10.11" adds the versioned MariaDB group.
 */
export function serverGroups(flavor: 'mariadb' | 'mysql', version?: string): string[] {
  if (flavor === 'mysql') {
    const g = ['mysqld', 'server'];
    const mm = version ? /^(\d+\.\d+)/.exec(version) : null;
    if (mm) g.push(`mysqld-${mm[1]}`);
    return g;
  }
  const g = ['mysqld', 'server', 'mariadb', 'mariadbd', 'client-server', 'galera'];
  const mm = version ? /^(\d+\.\d+)/.exec(version) : null;
  if (mm) g.push(`mysqld-${mm[1]}`, `mariadb-${mm[1]}`, `mariadbd-${mm[1]}`);
  return g;
}
