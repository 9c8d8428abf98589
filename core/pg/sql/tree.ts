/**
 * Depth-first visit of a parse tree as libpg-query returns it (plain objects and arrays), without recursion:
 * statement trees of generated SQL can nest deeper than the call stack would like.
 */
export function visitTree(root: unknown, visit: (key: string, value: unknown, atRoot: boolean) => boolean | void): void {
  const stack: unknown[] = [root];
  let atRoot = true;
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    for (const key of Object.keys(n)) {
      const v = (n as Record<string, unknown>)[key];
      // false: do not look inside this value.
      if (visit(key, v, atRoot) === false) continue;
      if (v && typeof v === 'object') stack.push(v);
    }
    atRoot = false;
  }
}
