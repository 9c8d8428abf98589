import fs from 'node:fs';
import path from 'node:path';
import { BaseLogger, type LogFields, type Logger, type LogLevel, type LogRecord } from './logger';
import { redact } from './redact';

export const LOG_DIR = 'logs';
export const LOG_FILE = 'replicadesk.log';

export interface FileLoggerOptions {
  /** The data dir; lines go to <dataDir>/logs/replicadesk.log. */
  dataDir: string;
  level?: LogLevel;
  /** Rotate when the current file would pass this size. */
  maxBytes?: number;
  /** How many files to keep, the current one included (replicadesk.log, .1, .2, ...). */
  maxFiles?: number;
}

/**
 * JSON lines in the data dir, rotated by size so a service that runs for months keeps at most
 * maxBytes × maxFiles of log. Writes are synchronous appends: a line is on disk before the call returns,
 * which is what you want from the last lines before a crash, and the volume (state changes, errors) is
 * small. A failing disk never throws into the engine: the logger reports once on stderr and counts what
 * it dropped.
 */
export class RotatingFileLogger extends BaseLogger {
  private constructor(private readonly sink: FileSink, level: LogLevel, bindings: LogFields) {
    super(level, bindings);
  }

  static open(opts: FileLoggerOptions): RotatingFileLogger {
    const sink = new FileSink(path.join(opts.dataDir, LOG_DIR), opts.maxBytes ?? 5 * 1024 * 1024, Math.max(1, opts.maxFiles ?? 5));
    return new RotatingFileLogger(sink, opts.level ?? 'info', {});
  }

  get file(): string {
    return this.sink.file;
  }

  get dropped(): number {
    return this.sink.dropped;
  }

  protected write(record: LogRecord): void {
    this.sink.append(JSON.stringify(redact(record)) + '\n');
  }

  protected withBindings(bindings: LogFields): Logger {
    return new RotatingFileLogger(this.sink, this.minLevel, bindings);
  }

  /** Closes the file; later lines are dropped (counted), not written. */
  close(): void {
    this.sink.close();
  }
}

class FileSink {
  readonly file: string;
  private fd: number | undefined;
  private size = 0;
  private closed = false;
  dropped = 0;
  private complained = false;

  constructor(private readonly dir: string, private readonly maxBytes: number, private readonly maxFiles: number) {
    this.file = path.join(dir, LOG_FILE);
  }

  append(line: string): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    try {
      const bytes = Buffer.byteLength(line);
      if (this.fd === undefined) this.openFile();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.writeSync(this.fd!, line);
      this.size += bytes;
    } catch (err) {
      this.dropped++;
      // Forget the descriptor so the next line tries again (the disk may have been freed meanwhile).
      this.closeFd();
      if (!this.complained) {
        this.complained = true;
        process.stderr.write(`ReplicaDesk: cannot write the log ${this.file}: ${(err as Error).message}\n`);
      }
    }
  }

  private openFile(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.closeFd();
    const name = (i: number) => (i === 0 ? this.file : `${this.file}.${i}`);
    fs.rmSync(name(this.maxFiles - 1), { force: true });
    for (let i = this.maxFiles - 2; i >= 0; i--) if (fs.existsSync(name(i))) fs.renameSync(name(i), name(i + 1));
    if (this.maxFiles === 1) fs.rmSync(this.file, { force: true });
    this.openFile();
  }

  private closeFd(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Already gone; nothing to flush, writes are synchronous.
      }
      this.fd = undefined;
    }
  }

  close(): void {
    this.closeFd();
    this.closed = true;
  }
}
