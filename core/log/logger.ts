/**
 * The service's structured log: one JSON object per line, so a support person can grep it and a script can
 * parse it. The engine takes the small `Logger` interface; where the lines go (a rotating file in the data
 * dir, memory in tests, nowhere) is the caller's choice.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `bindings` (e.g. { channel: 'office1' }) to every line. */
  child(bindings: LogFields): Logger;
}

export const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  t: string;
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

/** Shared by every implementation: level filter, bindings, and the record shape. */
export abstract class BaseLogger implements Logger {
  protected constructor(protected readonly minLevel: LogLevel, protected readonly bindings: LogFields) {}

  protected abstract write(record: LogRecord): void;
  protected abstract withBindings(bindings: LogFields): Logger;

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
  child(bindings: LogFields): Logger {
    return this.withBindings({ ...this.bindings, ...bindings });
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.minLevel]) return;
    const t = new Date().toISOString();
    // t, level and msg come first on the line (key order is insertion order) and no field overrides them.
    const record: LogRecord = { t, level, msg, ...this.bindings, ...fields };
    record.t = t;
    record.level = level;
    record.msg = msg;
    this.write(record);
  }
}

/** Keeps records in memory (tests, and the last lines for a crash report). Bounded. */
export class MemoryLogger extends BaseLogger {
  constructor(readonly records: LogRecord[] = [], minLevel: LogLevel = 'debug', bindings: LogFields = {}, private readonly max = 10_000) {
    super(minLevel, bindings);
  }
  protected write(record: LogRecord): void {
    this.records.push(record);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }
  protected withBindings(bindings: LogFields): Logger {
    return new MemoryLogger(this.records, this.minLevel, bindings, this.max);
  }
}

export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};
