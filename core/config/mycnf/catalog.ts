/**
 * Checks for the values of the options ReplicaDesk itself writes or reads, so a typo is caught before the
 * server refuses to start. Options not listed here are accepted as written (the server knows hundreds).
 */
import { canonicalName } from './names';

type Check = (value: string | null) => string | undefined;

const BOOL = /^(0|1|on|off|true|false|yes|no)$/i;
const bool: Check = (v) => (v === null || BOOL.test(v) ? undefined : 'expects ON or OFF (or 1 / 0)');
const uint = (min: number, max: number): Check => (v) => {
  if (v === null || !/^\d+$/.test(v)) return `expects a whole number from ${min} to ${max}`;
  const n = Number(v);
  return n < min || n > max ? `expects a whole number from ${min} to ${max}` : undefined;
};
const oneOf = (...values: string[]): Check => (v) =>
  v !== null && values.includes(v.toUpperCase()) ? undefined : `expects one of ${values.join(', ')}`;
const SIZE = /^(\d+)([kmgt]?)$/i;
const size = (min: number, max: number): Check => (v) => {
  const m = v === null ? null : SIZE.exec(v);
  if (!m) return 'expects a size such as 64M or 1G';
  const n = Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return n < min || n > max ? `expects a size from ${min} bytes to ${max / 1024 ** 3}G` : undefined;
};
const nonEmpty: Check = (v) => (v === null || v.trim() === '' ? 'needs a value' : undefined);
const days: Check = (v) => (v !== null && /^\d+(\.\d+)?$/.test(v) && Number(v) <= 99 ? undefined : 'expects a number of days from 0 to 99');

const CHECKS: Record<string, Check> = {
  server_id: uint(0, 4294967295),
  port: uint(1, 65535),
  binlog_format: oneOf('ROW', 'STATEMENT', 'MIXED'),
  binlog_row_image: oneOf('FULL', 'MINIMAL', 'NOBLOB', 'FULL_NODUP'),
  expire_logs_days: days,
  binlog_expire_logs_seconds: uint(0, 4294967295),
  max_allowed_packet: size(1024, 1024 ** 3),
  max_binlog_size: size(4096, 1024 ** 3),
  read_only: bool,
  super_read_only: bool,
  log_slave_updates: bool,
  log_replica_updates: bool,
  gtid_strict_mode: bool,
  gtid_mode: oneOf('ON', 'OFF', 'ON_PERMISSIVE', 'OFF_PERMISSIVE'),
  enforce_gtid_consistency: (v) => (v === null || BOOL.test(v) || /^warn$/i.test(v) ? undefined : 'expects ON, OFF or WARN'),
  lower_case_table_names: uint(0, 2),
  replicate_do_db: nonEmpty,
  replicate_ignore_db: nonEmpty,
  replicate_do_table: (v) => (v !== null && /^[^.]+\.[^.]+$/.test(v) ? undefined : 'expects database.table'),
  replicate_ignore_table: (v) => (v !== null && /^[^.]+\.[^.]+$/.test(v) ? undefined : 'expects database.table'),
  replicate_wild_do_table: (v) => (v !== null && /^[^.]+\.[^.]+$/.test(v) ? undefined : 'expects database.table (with % or _ wildcards)'),
  replicate_wild_ignore_table: (v) => (v !== null && /^[^.]+\.[^.]+$/.test(v) ? undefined : 'expects database.table (with % or _ wildcards)'),
  character_set_server: (v) => (v !== null && /^[a-z0-9_]+$/i.test(v) ? undefined : 'expects a character set name such as utf8mb4'),
};

/** Why `value` is not acceptable for option `name`, or undefined when it is (or the option is not known here). */
export function checkOptionValue(name: string, value: string | null): string | undefined {
  if (value !== null && value.includes('\0')) return 'contains a NUL character';
  const check = CHECKS[canonicalName(name)];
  return check ? check(value) : undefined;
}
