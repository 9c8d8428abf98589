import { parseArgs } from 'node:util';
import { type MyCnfEdit, MyCnfTree, applyPlan, planEdits } from '../../config/mycnf';
import { CliUsageError, type CliCommand } from '../command';

function parseAssignment(s: string): { key: string; value: string | null } {
  const eq = s.indexOf('=');
  return eq < 0 ? { key: s, value: null } : { key: s.slice(0, eq), value: s.slice(eq + 1) };
}

export const mycnfCommand: CliCommand = {
  name: 'mycnf',
  summary: 'Read and edit my.cnf (includes followed, comments and layout kept, diff before writing).',
  usage:
    'replicadesk mycnf get FILE [GROUP [KEY]] [--json]   (exit code 1: KEY not set, or the files have errors)\n' +
    '       replicadesk mycnf diff FILE [--group mysqld] [KEY[=VALUE]]... [--add KEY[=VALUE]]... [--remove KEY[=VALUE]]...\n' +
    '       replicadesk mycnf set  FILE [--group mysqld] [KEY[=VALUE]]... [--add …]... [--remove …]...   (writes, keeping a .bak copy)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { group: { type: 'string' }, add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [action, file, ...rest] = positionals;
    if (!action || !['get', 'set', 'diff'].includes(action)) throw new CliUsageError('Expected get, set or diff.');
    if (!file) throw new CliUsageError('Expected the path of the option file.');
    const tree = await MyCnfTree.load(file);
    for (const p of tree.problems) io.err(`${p.severity === 'error' ? 'Error' : 'Warning'}: ${p.file}:${p.line}: ${p.message}`);
    // A file the server refuses to start on is reported (exit code 1) and never edited: an edit could not
    // make it start, and would hide the real problem under a fresh diff.
    const broken = tree.problems.some((p) => p.severity === 'error');
    if (action === 'get') {
      const [group, key] = rest;
      const opts = tree.options().filter((o) => (!group || o.group.toLowerCase() === group.toLowerCase()) && (!key || o.option === key.replace(/-/g, '_').replace(/^loose_/, '')));
      if (values.json) io.out(JSON.stringify({ files: tree.describe(), options: opts }, null, 2));
      else {
        if (!group) for (const f of tree.describe()) io.out(`# ${f.file} (${f.lines} lines)${f.includedFrom ? ` included from ${f.includedFrom.file}:${f.includedFrom.line}` : ''}`);
        for (const o of opts) io.out(`${o.file}:${o.line}\t[${o.group}]\t${o.name}${o.value === null ? '' : ` = ${o.value}`}`);
      }
      return broken || (key && !opts.length) ? 1 : 0;
    }
    if (broken) {
      io.err('Nothing was changed: correct the lines above first.');
      return 1;
    }
    const group = values.group ?? 'mysqld';
    const edits: MyCnfEdit[] = [
      ...rest.map((s) => ({ op: 'set' as const, group, ...parseAssignment(s) })),
      ...(values.add ?? []).map((s) => ({ op: 'add' as const, group, ...parseAssignment(s) })),
      ...(values.remove ?? []).map((s) => {
        const a = parseAssignment(s);
        return a.value === null ? { op: 'remove' as const, group, key: a.key } : { op: 'remove' as const, group, key: a.key, value: a.value };
      }),
    ];
    if (!edits.length) throw new CliUsageError('Nothing to change: give KEY=VALUE, --add or --remove.');
    const plan = planEdits(tree, edits, { readGroups: ['mysqld', 'server', 'mariadb', 'mariadbd', 'client-server'] });
    for (const w of plan.warnings) io.err(`Warning: ${w}`);
    if (!plan.changes.length) {
      io.out('No change: the file already says that.');
      return 0;
    }
    io.out(plan.diff.trimEnd());
    if (action === 'diff') return 0;
    for (const w of await applyPlan(tree, plan)) io.out(`Wrote ${w.realFile}${w.backup ? ` (previous version kept as ${w.backup})` : ''}.`);
    return 0;
  },
};
