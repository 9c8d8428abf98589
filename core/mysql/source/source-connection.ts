import type net from 'node:net';
import { ReplicaDeskError } from '../../errors';
import type { MysqlEndpoint } from '../client/endpoint';
import { connectMysql, openRawSession, type RawSession } from '../client/raw-session';
import { encodePacket, PacketReader } from '../protocol/packets';
import { encodeBinlogDump, encodeBinlogDumpGtid, encodeRegisterSlave, DumpFlag, parseMysqlGtidSet } from '../protocol/replication-commands';
import { isErrPacket, isOkPacket, parseErrPacket } from '../protocol/responses';

/** What the I/O thread learns about the master when it connects ("Checking master version"). */
export interface MasterIdentity {
  serverVersion: string;
  isMariaDb: boolean;
  serverId: number;
  uuid: string | null;
  /** Replica clock minus master clock, in seconds (MySQL's clock_diff_with_master). */
  clockDiffSeconds: number;
  binlogChecksum: string;
}

/** Where to ask the master to start sending from. */
export type DumpStart =
  | { kind: 'file'; file: string; pos: number }
  /** MariaDB: gtid_slave_pos-style list "domain-server-seq,..."; MySQL: a GTID set (auto-position). */
  | { kind: 'gtid'; gtid: string; file?: string; pos?: number };

export interface SourceConnectOptions {
  endpoint: MysqlEndpoint;
  serverId: number;
  heartbeatPeriodSec: number;
  replicaUuid: string;
  reportHost?: string;
  reportPort?: number;
  /** Called as the I/O thread moves through the connection steps, with MySQL's state words. */
  onState?: (state: string) => void;
}

/** Error numbers after which MySQL's I/O thread gives up instead of retrying. */
export const FATAL_IO_ERRNOS = new Set([1236, 1593]);

/**
 * Connects to the master as a replica: checks it, sets up the session like MySQL's I/O thread
 * (@master_binlog_checksum, @master_heartbeat_period, @mariadb_slave_capability, GTID connect state),
 * registers (COM_REGISTER_SLAVE) and returns the raw socket ready for the dump command.
 */
export async function connectToMaster(o: SourceConnectOptions, start: DumpStart): Promise<{ session: RawSession; identity: MasterIdentity; dumpCommand: Buffer }> {
  o.onState?.('Connecting to master');
  // Identity first, on an ordinary connection, so a wrong server id is refused before we register.
  o.onState?.('Checking master version');
  const probe = await connectMysql(o.endpoint);
  let identity: MasterIdentity;
  try {
    const t0 = Date.now();
    const [rows] = await probe.query('SELECT @@version AS v, @@server_id AS id, UNIX_TIMESTAMP() AS ts, @@global.binlog_checksum AS ck, @@global.log_bin AS lb');
    const r = (rows as Record<string, unknown>[])[0]!;
    let uuid: string | null = null;
    const version = String(r.v);
    const isMariaDb = /mariadb/i.test(version);
    if (!isMariaDb) {
      const [u] = await probe.query('SELECT @@server_uuid AS u').catch(() => [[{ u: null }]]);
      uuid = (u as { u: string | null }[])[0]?.u ?? null;
    }
    const localNow = (t0 + Date.now()) / 2000;
    identity = {
      serverVersion: version,
      isMariaDb,
      serverId: Number(r.id),
      uuid,
      clockDiffSeconds: Math.round(localNow - Number(r.ts)),
      binlogChecksum: String(r.ck ?? 'NONE'),
    };
    if (String(r.lb) === '0' || String(r.lb).toUpperCase() === 'OFF') {
      throw new ReplicaDeskError(
        'SOURCE_NO_BINLOG',
        'The master has no binary log (log_bin is OFF), so there is nothing to replicate. Enable log-bin (and binlog_format=ROW) in its my.cnf and restart it.',
        { errno: 1381 },
      );
    }
  } finally {
    await probe.end().catch(() => probe.destroy());
  }
  if (identity.serverId === o.serverId) {
    throw new ReplicaDeskError(
      'SOURCE_SAME_SERVER_ID',
      `Fatal error: The slave I/O thread stops because master and slave have equal MySQL server ids (${o.serverId}). Give this channel another server id.`,
      { errno: 1593 },
    );
  }

  const periodNs = BigInt(Math.round(o.heartbeatPeriodSec * 1000)) * 1_000_000n;
  const setup = [
    // Tell the master we understand checksums: it then sends events exactly as they are in its files.
    'SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum',
    `SET @master_heartbeat_period = ${periodNs}, @source_heartbeat_period = ${periodNs}`,
    `SET @slave_uuid = '${o.replicaUuid}', @replica_uuid = '${o.replicaUuid}'`,
  ];
  if (identity.isMariaDb) {
    // MARIA_SLAVE_CAPABILITY_GTID: send GTID events as they are instead of rewriting them to BEGIN.
    setup.push('SET @mariadb_slave_capability = 4');
    if (start.kind === 'gtid') {
      if (!/^[0-9,\s-]*$/.test(start.gtid)) {
        throw new ReplicaDeskError('SOURCE_BAD_GTID', `"${start.gtid}" is not a MariaDB GTID position (domain-server-sequence, comma separated).`, { errno: 1947 });
      }
      setup.push(`SET @slave_connect_state = '${start.gtid.replace(/\s+/g, '')}'`, 'SET @slave_gtid_strict_mode = 0', 'SET @slave_gtid_ignore_duplicates = 0');
    }
  }
  let dumpCommand: Buffer;
  if (start.kind === 'file') {
    const flags = identity.isMariaDb ? DumpFlag.MARIADB_SEND_ANNOTATE_ROWS : 0;
    dumpCommand = encodeBinlogDump({ position: start.pos, flags, serverId: o.serverId, file: start.file });
  } else if (identity.isMariaDb) {
    dumpCommand = encodeBinlogDump({ position: 4, flags: DumpFlag.MARIADB_SEND_ANNOTATE_ROWS, serverId: o.serverId, file: '' });
  } else {
    dumpCommand = encodeBinlogDumpGtid({ serverId: o.serverId, file: start.file ?? '', position: start.pos ?? 4, gtidSet: parseMysqlGtidSet(start.gtid) });
  }

  const session = await openRawSession(o.endpoint, setup);
  try {
    o.onState?.('Registering slave on master');
    const reg: { serverId: number; reportHost?: string; reportPort?: number } = { serverId: o.serverId };
    if (o.reportHost) reg.reportHost = o.reportHost;
    if (o.reportPort) reg.reportPort = o.reportPort;
    const reply = await simpleCommand(session.socket, encodeRegisterSlave(reg), 10_000);
    if (isErrPacket(reply)) {
      const e = parseErrPacket(reply);
      throw new ReplicaDeskError('SOURCE_REGISTER_FAILED', `COM_REGISTER_SLAVE failed: ${e.message}`, { errno: e.errno, stage: 'register' });
    }
    if (!isOkPacket(reply)) throw new ReplicaDeskError('SOURCE_PROTOCOL_ERROR', 'The master answered COM_REGISTER_SLAVE with neither OK nor an error.', { errno: 2027 });
  } catch (err) {
    session.socket.destroy();
    throw err;
  }
  o.onState?.('Requesting binlog dump');
  return { session, identity, dumpCommand };
}

/** Sends one command and waits for its single reply packet. */
function simpleCommand(socket: net.Socket, payload: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const reader = new PacketReader();
    const timer = setTimeout(() => done(new ReplicaDeskError('SOURCE_TIMEOUT', 'The master did not answer within 10 s.', { errno: 2013 })), timeoutMs);
    const onData = (chunk: Buffer) => reader.push(chunk, (p) => done(undefined, p));
    const onClose = () => done(new ReplicaDeskError('SOURCE_CONNECTION_LOST', 'Lost connection to the master while registering.', { errno: 2013 }));
    const done = (err: Error | undefined, p?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      if (err) reject(err);
      else resolve(p!);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onClose);
    for (const b of encodePacket(payload, 0).buffers) socket.write(b);
  });
}
