/** Messages the proxy itself sends to clients, built as Buffers (constants for the fixed ones). */

function message(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

function cstr(s: string): Buffer {
  return Buffer.from(s + '\0', 'utf8');
}

export const AUTH_OK = message('R', int32(0));
export const READY_IDLE = message('Z', Buffer.from('I'));
export const READY_IN_TX = message('Z', Buffer.from('T'));
export const READY_FAILED_TX = message('Z', Buffer.from('E'));
export const SSL_NO = Buffer.from('N');
export const SSL_YES = Buffer.from('S');

export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return status === 'I' ? READY_IDLE : status === 'T' ? READY_IN_TX : READY_FAILED_TX;
}

export function authCleartext(): Buffer {
  return message('R', int32(3));
}

export function authMd5(salt: Buffer): Buffer {
  return message('R', Buffer.concat([int32(5), salt]));
}

export function authSasl(mechanisms: string[]): Buffer {
  return message('R', Buffer.concat([int32(10), ...mechanisms.map(cstr), Buffer.from([0])]));
}

export function authSaslContinue(data: Buffer | string): Buffer {
  return message('R', Buffer.concat([int32(11), Buffer.from(data)]));
}

export function authSaslFinal(data: Buffer | string): Buffer {
  return message('R', Buffer.concat([int32(12), Buffer.from(data)]));
}

export function parameterStatus(name: string, value: string): Buffer {
  return message('S', Buffer.concat([cstr(name), cstr(value)]));
}

export function backendKeyData(pid: number, secret: number): Buffer {
  return message('K', Buffer.concat([int32(pid), int32(secret)]));
}

export function commandComplete(tag: string): Buffer {
  return message('C', cstr(tag));
}

export interface ErrorFields {
  severity?: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'INFO' | 'LOG' | 'DEBUG';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function fields(f: ErrorFields): Buffer {
  const sev = f.severity ?? 'ERROR';
  const parts: Buffer[] = [Buffer.from('S'), cstr(sev), Buffer.from('V'), cstr(sev), Buffer.from('C'), cstr(f.code), Buffer.from('M'), cstr(f.message)];
  if (f.detail) parts.push(Buffer.from('D'), cstr(f.detail));
  if (f.hint) parts.push(Buffer.from('H'), cstr(f.hint));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function errorResponse(f: ErrorFields): Buffer {
  return message('E', fields(f));
}

export function noticeResponse(f: ErrorFields): Buffer {
  return message('N', fields({ severity: 'WARNING', ...f }));
}

/** RowDescription for text columns (type text, oid 25), as our own SHOW commands return. */
export function rowDescriptionText(columns: string[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.allocUnsafe(2);
  count.writeInt16BE(columns.length, 0);
  parts.push(count);
  for (const c of columns) {
    const meta = Buffer.alloc(18);
    // table oid 0, attnum 0, type oid 25 (text), typlen -1, typmod -1, format 0 (text)
    meta.writeInt32BE(0, 0);
    meta.writeInt16BE(0, 4);
    meta.writeInt32BE(25, 6);
    meta.writeInt16BE(-1, 10);
    meta.writeInt32BE(-1, 12);
    meta.writeInt16BE(0, 16);
    parts.push(cstr(c), meta);
  }
  return message('T', Buffer.concat(parts));
}

export function dataRowText(values: (string | null)[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.allocUnsafe(2);
  count.writeInt16BE(values.length, 0);
  parts.push(count);
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else {
      const b = Buffer.from(v, 'utf8');
      parts.push(int32(b.length), b);
    }
  }
  return message('D', Buffer.concat(parts));
}
