/**
 * GTID positions as replicas keep them. MariaDB: one "domain-server-seq" per replication domain, the last
 * applied (gtid_slave_pos). MySQL: a set of uuid:intervals (Executed_Gtid_Set / Retrieved_Gtid_Set).
 * Both are kept as text in state tables; this class adds one transaction's GTID to either form.
 */
export class GtidPosition {
  /** Domain → its last GTID, as text or as an object that makes the text on demand (the I/O hot path). */
  private readonly maria = new Map<number, string | { readonly gtid: string }>();
  private cached: string | undefined;
  private readonly mysql = new Map<string, [bigint, bigint][]>();

  constructor(text = '') {
    for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) this.addText(part, true);
  }

  /** Adds "d-s-n" (MariaDB) or "uuid:n" / "uuid:a-b:c-d" (MySQL). */
  add(gtid: string): void {
    this.addText(gtid, false);
  }

  /** Adds a GTID seen in the stream; MariaDB ones (with a domain) stay unformatted until toString(). */
  addSeen(seen: { readonly gtid: string; readonly domain?: number | undefined }): void {
    if (seen.domain !== undefined) {
      this.maria.set(seen.domain, seen);
      this.cached = undefined;
    } else this.add(seen.gtid);
  }

  private addText(gtid: string, parsing: boolean): void {
    this.cached = undefined;
    const maria = /^(\d+)-(\d+)-(\d+)$/.exec(gtid);
    if (maria) {
      this.maria.set(Number(maria[1]), gtid);
      return;
    }
    const [uuid, ...ranges] = gtid.split(':');
    if (!uuid || ranges.length === 0) {
      if (parsing) return;
      throw new RangeError(`"${gtid}" is not a GTID`);
    }
    const key = uuid.toLowerCase();
    const list = this.mysql.get(key) ?? [];
    for (const r of ranges) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(r);
      if (!m) continue;
      const a = BigInt(m[1]!);
      const b = m[2] ? BigInt(m[2]) : a;
      list.push([a, b]);
    }
    this.mysql.set(key, mergeIntervals(list));
  }

  get empty(): boolean {
    return this.maria.size === 0 && this.mysql.size === 0;
  }

  /** MariaDB: the sequence number applied in a domain (for status and comparisons). */
  mariaSeq(domain: number): bigint | undefined {
    const g = this.maria.get(domain);
    return g ? BigInt((typeof g === 'string' ? g : g.gtid).split('-')[2]!) : undefined;
  }

  /** An immutable value for the current position, cheap in the common one-domain case (no formatting). */
  snapshot(): string | { readonly gtid: string } {
    if (this.mysql.size === 0 && this.maria.size === 1) return this.maria.values().next().value!;
    return this.toString();
  }

  toString(): string {
    if (this.cached !== undefined) return this.cached;
    const text = (g: string | { readonly gtid: string }) => (typeof g === 'string' ? g : g.gtid);
    if (this.mysql.size === 0 && this.maria.size <= 1) {
      const only = this.maria.values().next().value;
      return (this.cached = only === undefined ? '' : text(only));
    }
    const parts = [...this.maria.keys()].sort((a, b) => a - b).map((d) => text(this.maria.get(d)!));
    for (const [uuid, iv] of [...this.mysql.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      parts.push(`${uuid}:${iv.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`);
    }
    return (this.cached = parts.join(','));
  }

  clone(): GtidPosition {
    return new GtidPosition(this.toString());
  }
}

function mergeIntervals(list: [bigint, bigint][]): [bigint, bigint][] {
  const sorted = [...list].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}
