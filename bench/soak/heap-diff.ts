/**
 * Reads two V8 heap snapshots (.heapsnapshot, as `--heapsnapshot-signal` writes them) and says which kinds
 * of objects grew in between: what an RSS trend alone cannot tell (growth that is a leak, versus a heap
 * that has not reached its size yet). Node counts and self sizes per (type, constructor name).
 */
import fs from 'node:fs';

export interface HeapGroup {
  type: string;
  name: string;
  count: number;
  bytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  groups: Map<string, HeapGroup>;
}

export function summarizeSnapshot(file: string): HeapSummary {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const groups = new Map<string, HeapGroup>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!] ?? '?';
    // Strings and numbers are grouped by type only: their "name" is their content.
    const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + iName]!]! : `(${type})`;
    const size = snap.nodes[i + iSize]!;
    totalBytes += size;
    const key = `${type}\u0000${name}`;
    const g = groups.get(key) ?? { type, name, count: 0, bytes: 0 };
    g.count++;
    g.bytes += size;
    groups.set(key, g);
  }
  return { totalBytes, nodes: snap.nodes.length / width, groups };
}

/** Groups that grew most in bytes from `a` to `b`. */
export function heapGrowth(a: HeapSummary, b: HeapSummary, top = 12): { type: string; name: string; countDelta: number; bytesDelta: number; count: number }[] {
  const out = [];
  for (const [key, g] of b.groups) {
    const before = a.groups.get(key);
    out.push({ type: g.type, name: g.name, count: g.count, countDelta: g.count - (before?.count ?? 0), bytesDelta: g.bytes - (before?.bytes ?? 0) });
  }
  for (const [key, g] of a.groups) if (!b.groups.has(key)) out.push({ type: g.type, name: g.name, count: 0, countDelta: -g.count, bytesDelta: -g.bytes });
  return out.sort((x, y) => y.bytesDelta - x.bytesDelta).slice(0, top);
}
