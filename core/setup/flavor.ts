/**
 * Which server we talk to, and which statements follow from it. MySQL renamed its replication statements
 * (8.0.22: START/STOP REPLICA, SHOW REPLICA STATUS; 8.0.23: CHANGE REPLICATION SOURCE TO; 8.2: SHOW BINARY
 * LOG STATUS; 8.4 removed the old words). MariaDB keeps SLAVE/MASTER (REPLICA is only a synonym from 10.5),
 * so for MariaDB we always use the classic statements, which every version understands.
 */

export type Flavor = 'mariadb' | 'mysql';

export interface ServerVersion {
  flavor: Flavor;
  major: number;
  minor: number;
  patch: number;
  /** As the server reported it, e.g. "10.11.19-MariaDB-0+deb12u1-log". */
  text: string;
}

export interface ReplicationDialect {
  /** "SLAVE" or "REPLICA" in START/STOP/SHOW … STATUS. */
  replicaWord: 'SLAVE' | 'REPLICA';
  startReplica: string;
  stopReplica: string;
  showReplicaStatus: string;
  /** "CHANGE MASTER TO" or "CHANGE REPLICATION SOURCE TO". */
  changeSourceTo: string;
  /** Option prefix inside CHANGE … TO: MASTER_ or SOURCE_. */
  sourceOptionPrefix: 'MASTER_' | 'SOURCE_';
  /** Reading the binlog position: SHOW MASTER STATUS or SHOW BINARY LOG STATUS. */
  showBinlogStatus: string;
  /** Privilege that lets a user read positions: BINLOG MONITOR (MariaDB 10.5+) or REPLICATION CLIENT. */
  positionPrivilege: 'BINLOG MONITOR' | 'REPLICATION CLIENT';
}

/** Parses SELECT VERSION() or a handshake string ("5.5.5-10.4.1-MariaDB" is how old MariaDB handshakes read). */
export function parseServerVersion(text: string, versionComment = ''): ServerVersion {
  let t = text.trim();
  const mariadb = /mariadb/i.test(t) || /mariadb/i.test(versionComment);
  if (mariadb) t = t.replace(/^5\.5\.5-/, '');
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(t);
  if (!m) return { flavor: mariadb ? 'mariadb' : 'mysql', major: 0, minor: 0, patch: 0, text };
  return { flavor: mariadb ? 'mariadb' : 'mysql', major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text };
}

export function atLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function dialectFor(v: ServerVersion): ReplicationDialect {
  if (v.flavor === 'mariadb') {
    return {
      replicaWord: 'SLAVE',
      startReplica: 'START SLAVE',
      stopReplica: 'STOP SLAVE',
      showReplicaStatus: 'SHOW SLAVE STATUS',
      changeSourceTo: 'CHANGE MASTER TO',
      sourceOptionPrefix: 'MASTER_',
      showBinlogStatus: 'SHOW MASTER STATUS',
      positionPrivilege: atLeast(v, 10, 5, 2) ? 'BINLOG MONITOR' : 'REPLICATION CLIENT',
    };
  }
  const replica = atLeast(v, 8, 0, 22);
  const source = atLeast(v, 8, 0, 23);
  return {
    replicaWord: replica ? 'REPLICA' : 'SLAVE',
    startReplica: replica ? 'START REPLICA' : 'START SLAVE',
    stopReplica: replica ? 'STOP REPLICA' : 'STOP SLAVE',
    showReplicaStatus: replica ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    changeSourceTo: source ? 'CHANGE REPLICATION SOURCE TO' : 'CHANGE MASTER TO',
    sourceOptionPrefix: source ? 'SOURCE_' : 'MASTER_',
    showBinlogStatus: atLeast(v, 8, 2) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    positionPrivilege: 'REPLICATION CLIENT',
  };
}

export function describeVersion(v: ServerVersion): string {
  return `${v.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${v.major}.${v.minor}.${v.patch}`;
}

/** Oldest versions we replicate from: binlog v4 with checksums and row events as we decode them. */
export function supportLevel(v: ServerVersion): 'supported' | 'old' | 'unsupported' {
  if (v.major === 0) return 'unsupported';
  if (v.flavor === 'mariadb') return atLeast(v, 10, 3) ? 'supported' : atLeast(v, 10, 0) ? 'old' : 'unsupported';
  return atLeast(v, 5, 7) ? 'supported' : atLeast(v, 5, 6) ? 'old' : 'unsupported';
}
