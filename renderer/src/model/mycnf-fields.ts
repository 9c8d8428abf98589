import type { MessageKey } from '../i18n/en';

/**
 * The my.cnf options replication depends on, with their type, so the editor offers the right control and
 * catches a typo before the server refuses to start (the config engine checks them again on save).
 * Everything else in the file is edited as text.
 */
export type FieldType = { kind: 'uint'; min: number; max: number } | { kind: 'enum'; values: string[] } | { kind: 'bool' } | { kind: 'size' } | { kind: 'text' } | { kind: 'days' };

export interface KnownOption {
  key: string;
  type: FieldType;
  help: MessageKey;
  /** The server reads it only at start. */
  restart: boolean;
}

export const REPLICATION_OPTIONS: KnownOption[] = [
  { key: 'server_id', type: { kind: 'uint', min: 1, max: 4294967295 }, help: 'mycnf.help.server_id', restart: false },
  { key: 'log_bin', type: { kind: 'text' }, help: 'mycnf.help.log_bin', restart: true },
  { key: 'binlog_format', type: { kind: 'enum', values: ['ROW', 'MIXED', 'STATEMENT'] }, help: 'mycnf.help.binlog_format', restart: false },
  { key: 'binlog_row_image', type: { kind: 'enum', values: ['FULL', 'NOBLOB', 'MINIMAL'] }, help: 'mycnf.help.binlog_row_image', restart: false },
  { key: 'expire_logs_days', type: { kind: 'days' }, help: 'mycnf.help.expire_logs_days', restart: false },
  { key: 'max_allowed_packet', type: { kind: 'size' }, help: 'mycnf.help.max_allowed_packet', restart: false },
  { key: 'read_only', type: { kind: 'bool' }, help: 'mycnf.help.read_only', restart: false },
  { key: 'log_slave_updates', type: { kind: 'bool' }, help: 'mycnf.help.log_slave_updates', restart: true },
];

/** "-" and "_" are the same in option names, and "loose-" only says "do not fail if unknown". */
export function canonicalOption(name: string): string {
  return name.toLowerCase().replace(/-/g, '_').replace(/^loose_/, '');
}

export function checkValue(type: FieldType, value: string | null): 'number' | 'choice' | 'bool' | 'size' | 'days' | undefined {
  const v = (value ?? '').trim();
  switch (type.kind) {
    case 'uint':
      return /^\d+$/.test(v) && Number(v) >= type.min && Number(v) <= type.max ? undefined : 'number';
    case 'enum':
      return type.values.includes(v.toUpperCase()) ? undefined : 'choice';
    case 'bool':
      return value === null || /^(0|1|on|off|true|false|yes|no)$/i.test(v) ? undefined : 'bool';
    case 'size':
      return /^\d+[kmg]?$/i.test(v) ? undefined : 'size';
    case 'days':
      return /^\d+(\.\d+)?$/.test(v) && Number(v) <= 99 ? undefined : 'days';
    case 'text':
      return undefined;
  }
}

export function isOptionName(v: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]*$/.test(v);
}

export function isGroupName(v: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(v);
}
