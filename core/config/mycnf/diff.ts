/**
 * Unified diff of two texts, for previewing an edit before it is written. Config files are small (hundreds of
 * lines), so a plain LCS table is fast enough and keeps this easy to trust.
 */

type Op = { t: ' ' | '-' | '+'; line: string };

function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function script(a: string[], b: string[]): Op[] {
  // Strip the common head and tail first: edits are local, so the table stays tiny.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const ops: Op[] = a.slice(0, head).map((line) => ({ t: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ t: ' ', line: am[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) ops.push({ t: '-', line: am[i++]! });
    else ops.push({ t: '+', line: bm[j++]! });
  }
  for (const line of a.slice(a.length - tail)) ops.push({ t: ' ', line });
  return ops;
}

/** Unified diff ("--- a/… +++ b/… @@ …") or "" when the texts are equal. */
export function unifiedDiff(before: string, after: string, fileName: string, context = 3): string {
  if (before === after) return '';
  const ops = script(lines(before), lines(after));
  const out: string[] = [`--- ${fileName}`, `+++ ${fileName}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change that is
    // within 2*context of the previous one.
    const start = Math.max(0, k - context);
    let end = k;
    let last = k;
    while (end < ops.length) {
      if (ops[end]!.t !== ' ') last = end;
      else if (end - last > 2 * context) break;
      end++;
    }
    const stop = Math.min(ops.length, last + context + 1);
    let aLine = 1;
    let bLine = 1;
    for (let q = 0; q < start; q++) {
      if (ops[q]!.t !== '+') aLine++;
      if (ops[q]!.t !== '-') bLine++;
    }
    const body = ops.slice(start, stop);
    const aCount = body.filter((o) => o.t !== '+').length;
    const bCount = body.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aCount ? aLine : aLine - 1},${aCount} +${bCount ? bLine : bLine - 1},${bCount} @@`);
    for (const o of body) out.push(o.t + o.line.replace(/\r$/, ''));
    k = stop;
  }
  return out.join('\n') + '\n';
}
