import { type CnfLine, type LineEnding, parseLines, serializeLines } from './syntax';

/**
 * One option file as text. Files are usually UTF-8 (Japanese and Chinese comments included); a file that is
 * not valid UTF-8 (e.g. Shift_JIS comments from an old Windows editor) is held as latin1, which maps bytes
 * to characters one to one, so it still writes back byte for byte.
 */
export type TextEncodingName = 'utf8' | 'latin1';

export interface LineProblem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export class MyCnfDocument {
  constructor(
    readonly path: string,
    readonly lines: readonly CnfLine[],
    readonly encoding: TextEncodingName = 'utf8',
  ) {}

  static parse(text: string, path: string, encoding: TextEncodingName = 'utf8'): MyCnfDocument {
    return new MyCnfDocument(path, parseLines(text).lines, encoding);
  }

  static fromBytes(bytes: Uint8Array, path: string): MyCnfDocument {
    try {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      return MyCnfDocument.parse(text, path, 'utf8');
    } catch {
      return MyCnfDocument.parse(Buffer.from(bytes).toString('latin1'), path, 'latin1');
    }
  }

  toString(): string {
    return serializeLines(this.lines);
  }

  toBytes(): Buffer {
    return Buffer.from(this.toString(), this.encoding);
  }

  /** The ending most lines use, for lines we add. */
  get lineEnding(): '\n' | '\r\n' {
    let crlf = 0;
    let lf = 0;
    for (const l of this.lines) {
      if (l.eol === '\r\n') crlf++;
      else if (l.eol === '\n') lf++;
    }
    return crlf > lf ? '\r\n' : '\n';
  }

  withLines(lines: CnfLine[]): MyCnfDocument {
    return new MyCnfDocument(this.path, lines, this.encoding);
  }

  problems(): LineProblem[] {
    const out: LineProblem[] = [];
    this.lines.forEach((l, i) => {
      if (l.kind === 'invalid') out.push({ file: this.path, line: i + 1, message: l.message });
    });
    return out;
  }
}

export function lastEol(lines: readonly CnfLine[]): LineEnding {
  return lines.length ? lines[lines.length - 1]!.eol : '\n';
}
