/**
 * Reads the replies to COM_QUERY, packet by packet: for a multi-statement query one result per statement,
 * each an OK, an ERR (which also ends the query: the server runs nothing after an error) or a result set
 * (column count, column definitions, [EOF], rows, EOF/OK). Pure state machine; the socket layer feeds it
 * packets and it says when one whole query's replies are complete.
 */
import { isErrPacket, parseErrPacket, parseOkPacket, readLenEncInt, ServerStatus, type ServerError } from './responses';

/** CLIENT_DEPRECATE_EOF: result sets end with an OK (0xfe header) instead of an EOF packet. */
export const CLIENT_DEPRECATE_EOF = 0x01000000;

export interface StatementOutcome {
  affectedRows: number;
  /** Rows of a result set (ignored by the applier, counted for completeness). */
  resultRows: number;
}

export interface QueryOutcome {
  results: StatementOutcome[];
  error?: ServerError & { statementIndex: number };
}

type Phase = 'result' | 'columns' | 'column-eof' | 'rows';

export class QueryResponseReader {
  private phase: Phase = 'result';
  private columnsLeft = 0;
  private rows = 0;
  private results: StatementOutcome[] = [];

  constructor(private readonly deprecateEof: boolean) {}

  /** Feeds one packet; returns the outcome when the query's last reply has arrived, else undefined. */
  push(p: Buffer): QueryOutcome | undefined {
    switch (this.phase) {
      case 'result': {
        const head = p[0];
        if (head === 0x00) {
          const ok = parseOkPacket(p);
          this.results.push({ affectedRows: ok.affectedRows, resultRows: 0 });
          return ok.statusFlags & ServerStatus.MORE_RESULTS_EXISTS ? undefined : this.finish();
        }
        if (isErrPacket(p)) {
          const e = parseErrPacket(p);
          return this.finish({ ...e, statementIndex: this.results.length });
        }
        if (head === 0xfb) {
          // LOCAL INFILE request: we never enable it; treat as a protocol error reply.
          return this.finish({ errno: 2027, sqlState: 'HY000', message: 'The target asked for a LOCAL INFILE transfer, which ReplicaDesk does not allow.', statementIndex: this.results.length });
        }
        this.columnsLeft = readLenEncInt(p, { off: 0 }) ?? 0;
        this.rows = 0;
        this.phase = 'columns';
        return undefined;
      }
      case 'columns':
        if (--this.columnsLeft === 0) this.phase = this.deprecateEof ? 'rows' : 'column-eof';
        return undefined;
      case 'column-eof':
        this.phase = 'rows';
        return undefined;
      case 'rows': {
        if (p[0] === 0xfe && p.length < 0xffffff && (this.deprecateEof ? p.length >= 7 : p.length < 9)) {
          const status = this.deprecateEof ? parseOkPacket(p).statusFlags : p.length >= 5 ? p.readUInt16LE(3) : 0;
          this.results.push({ affectedRows: 0, resultRows: this.rows });
          this.phase = 'result';
          return status & ServerStatus.MORE_RESULTS_EXISTS ? undefined : this.finish();
        }
        if (isErrPacket(p)) {
          const e = parseErrPacket(p);
          return this.finish({ ...e, statementIndex: this.results.length });
        }
        this.rows++;
        return undefined;
      }
    }
  }

  private finish(error?: ServerError & { statementIndex: number }): QueryOutcome {
    const out: QueryOutcome = error ? { results: this.results, error } : { results: this.results };
    this.results = [];
    this.phase = 'result';
    return out;
  }
}
