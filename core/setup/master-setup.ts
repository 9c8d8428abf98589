/**
 * What the office server (master) needs before it can be backed up, as one plan: the my.cnf [mysqld] lines,
 * the statements that apply at once, the replication account, and whether a restart is needed. Applied over
 * SQL when the admin account allows it; otherwise everything is there to copy and paste.
 */
import { randomInt } from 'node:crypto';
import mysql from 'mysql2/promise';
import { type MyCnfEdit, type MyCnfPlan, MyCnfTree, applyPlan, planEdits, serverGroups, type WrittenFile } from '../config/mycnf';
import { ReplicaDeskError } from '../errors';
import { type MySqlEndpoint, connectEndpoint } from './endpoint';
import { atLeast, dialectFor } from './flavor';
import { type Localized, localize } from './messages/localize';
import { gatherFacts } from './preflight/facts';
import { hasGlobal } from './preflight/grants';
import { type ServerFacts, isFailure } from './preflight/types';

export interface MasterSetupInput {
  /** Administrator account on the master (to read its settings, and to apply the plan). */
  admin: MySqlEndpoint;
  /** Host pattern the backup PC connects from: its IP address, or "%" for anywhere. */
  replicaHost: string;
  /** Replication account name; default "replicadesk". */
  replicationUser?: string;
  /** Password for a new account; generated (24 letters and digits) when absent. */
  password?: string;
  /** Server ids already in use (the target's, other channels' masters'), to pick a free one. */
  takenServerIds?: number[];
  /** Binary-log retention to set when the current one is shorter or unlimited; default 14 days. */
  retentionDays?: number;
  /** Also grant what the first copy needs (SELECT, SHOW VIEW, TRIGGER, EVENT, RELOAD). */
  forCopy?: boolean;
  /** The master's my.cnf, when ReplicaDesk runs on the master itself and may read it (for a diff). */
  mycnfPath?: string;
}

export interface MyCnfSetting {
  key: string;
  value: string | null;
  /** Why, in English (the check explanations carry the translations). */
  reason: string;
}

export interface MasterSetupPlan {
  /** Lines for the [mysqld] section. */
  mycnf: MyCnfSetting[];
  /** The same as text to paste ("[mysqld]\nserver-id = 3\n…"), "" when nothing is needed. */
  mycnfText: string;
  /** Edit of the real file, when mycnfPath was given and readable. */
  mycnfPlan?: MyCnfPlan;
  mycnfTree?: MyCnfTree;
  /** SET GLOBAL statements that make the settings effective without a restart. */
  runtime: string[];
  user: {
    account: string;
    exists: boolean;
    /** Present only for a new account (ReplicaDesk generated or was given it): store it sealed. */
    password?: string;
    /** Statements creating the account and granting what is missing (with the password, to be shown only to the user). */
    statements: string[];
  };
  restartNeeded: boolean;
  /** Settings that only take effect after a restart. */
  restartFor: string[];
  explanation: Localized;
}

const esc = (v: string) => mysql.escape(v);

export function generatePassword(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function retentionSecondsOf(f: ServerFacts): number {
  const secs = Number(f.vars.binlog_expire_logs_seconds || 0);
  return secs > 0 ? secs : Math.round(Number(f.vars.expire_logs_days || 0) * 86400);
}

/** Works out the plan from the master's current state; changes nothing. */
export async function planMasterSetup(input: MasterSetupInput): Promise<MasterSetupPlan> {
  const facts = await gatherFacts(input.admin);
  if (isFailure(facts)) {
    throw new ReplicaDeskError('SETUP_CONNECT_FAILED', `Cannot connect to the master at ${facts.host}:${facts.port} as ${facts.user}: ${facts.message}`, { code: facts.code });
  }
  const user = input.replicationUser ?? 'replicadesk';
  const account = `${esc(user)}@${esc(input.replicaHost)}`;
  const mycnf: MyCnfSetting[] = [];
  const runtime: string[] = [];
  const restartFor: string[] = [];
  const v = facts.vars;

  const taken = new Set([0, ...(input.takenServerIds ?? [])]);
  const sid = Number(v.server_id || 0);
  if (taken.has(sid)) {
    let next = Math.max(...taken) + 1;
    while (taken.has(next)) next++;
    mycnf.push({ key: 'server-id', value: String(next), reason: sid ? `server id ${sid} is used by another server of this setup` : 'the master has no server id' });
    runtime.push(`SET GLOBAL server_id = ${next};`);
  }
  if (!/^(1|on)$/i.test(v.log_bin ?? '')) {
    mycnf.push({ key: 'log-bin', value: 'mysql-bin', reason: 'the binary log is off' });
    restartFor.push('log-bin');
  }
  if ((v.binlog_format ?? '').toUpperCase() !== 'ROW') {
    mycnf.push({ key: 'binlog_format', value: 'ROW', reason: `changes are logged as ${v.binlog_format}` });
    runtime.push("SET GLOBAL binlog_format = 'ROW';");
  }
  if ((v.binlog_row_image || 'FULL').toUpperCase() !== 'FULL') {
    mycnf.push({ key: 'binlog_row_image', value: 'FULL', reason: `row images are ${v.binlog_row_image}` });
    runtime.push("SET GLOBAL binlog_row_image = 'FULL';");
  }
  const wantDays = input.retentionDays ?? 14;
  const cur = retentionSecondsOf(facts);
  if (cur === 0 || cur < wantDays * 86400) {
    const modern = facts.version.flavor === 'mysql' || atLeast(facts.version, 10, 6);
    const key = modern ? 'binlog_expire_logs_seconds' : 'expire_logs_days';
    const value = modern ? String(wantDays * 86400) : String(wantDays);
    mycnf.push({ key, value, reason: cur === 0 ? 'old binary logs are never deleted' : `binary logs are kept only ${Math.round(cur / 8640) / 10} days` });
    runtime.push(`SET GLOBAL ${key} = ${value};`);
  }

  // The account: does it exist, and what does it lack?
  const c = await connectEndpoint(input.admin);
  let exists = false;
  let grants: string[] = [];
  try {
    const [r] = await c.query('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?', [user, input.replicaHost]);
    exists = Number((r as { n: number }[])[0]!.n) > 0;
    if (exists) {
      const [g] = await c.query(`SHOW GRANTS FOR ${account}`);
      grants = (g as Record<string, unknown>[]).map((x) => String(Object.values(x)[0]));
    }
  } catch (err) {
    throw new ReplicaDeskError('SETUP_CANNOT_READ_USERS', `The account ${input.admin.user} may not read mysql.user on the master, so the replication account cannot be prepared: ${(err as Error).message}. Use an administrator account.`);
  } finally {
    await c.end().catch(() => undefined);
  }
  const d = dialectFor(facts.version);
  const wanted = ['REPLICATION SLAVE', d.positionPrivilege, ...(input.forCopy ? ['SELECT', 'SHOW VIEW', 'TRIGGER', 'EVENT', 'RELOAD'] : [])];
  const alt: Record<string, string[]> = { 'REPLICATION SLAVE': ['REPLICATION SLAVE', 'REPLICATION REPLICA'], 'BINLOG MONITOR': ['BINLOG MONITOR', 'REPLICATION CLIENT'], 'REPLICATION CLIENT': ['REPLICATION CLIENT', 'BINLOG MONITOR'] };
  const missing = wanted.filter((p) => !hasGlobal(grants, alt[p] ?? [p]));
  const password = exists ? undefined : input.password ?? generatePassword();
  const statements: string[] = [];
  if (!exists) statements.push(`CREATE USER ${account} IDENTIFIED BY ${esc(password!)};`);
  if (missing.length) statements.push(`GRANT ${missing.join(', ')} ON *.* TO ${account};`);

  let mycnfPlan: MyCnfPlan | undefined;
  let mycnfTree: MyCnfTree | undefined;
  if (input.mycnfPath) {
    mycnfTree = await MyCnfTree.load(input.mycnfPath);
    const edits: MyCnfEdit[] = mycnf.map((s) => ({ op: 'set', group: 'mysqld', key: s.key, value: s.value }));
    mycnfPlan = planEdits(mycnfTree, edits, { readGroups: serverGroups(facts.version.flavor, `${facts.version.major}.${facts.version.minor}`) });
  }
  const restartNeeded = restartFor.length > 0;
  const plan: MasterSetupPlan = {
    mycnf,
    mycnfText: mycnf.length ? `[mysqld]\n${mycnf.map((s) => (s.value === null ? s.key : `${s.key} = ${s.value}`)).join('\n')}\n` : '',
    runtime,
    user: { account: `${user}@${input.replicaHost}`, exists, statements, ...(password ? { password } : {}) },
    restartNeeded,
    restartFor,
    explanation: restartNeeded ? localize('setup.restartNeeded', { options: restartFor.join(', ') }) : localize('setup.noRestart', {}),
  };
  if (mycnfPlan) plan.mycnfPlan = mycnfPlan;
  if (mycnfTree) plan.mycnfTree = mycnfTree;
  return plan;
}

export interface MasterSetupOutcome {
  /** Statements that ran. */
  applied: string[];
  /** Statements that could not run (no privilege): show them to the user to run by hand. */
  manual: { statement: string; error: string }[];
  mycnfWritten: WrittenFile[];
  restartNeeded: boolean;
}

/**
 * Runs the plan's statements with the admin account (each separately, so one refusal does not stop the
 * rest) and, when asked, writes the my.cnf edit. Statements are never logged (they may carry a password).
 */
export async function applyMasterSetup(plan: MasterSetupPlan, admin: MySqlEndpoint, opts: { writeMyCnf?: boolean } = {}): Promise<MasterSetupOutcome> {
  const out: MasterSetupOutcome = { applied: [], manual: [], mycnfWritten: [], restartNeeded: plan.restartNeeded };
  const c = await connectEndpoint(admin);
  try {
    for (const s of [...plan.user.statements, ...plan.runtime]) {
      try {
        await c.query(s);
        out.applied.push(s);
      } catch (err) {
        out.manual.push({ statement: s, error: (err as Error).message });
      }
    }
  } finally {
    await c.end().catch(() => undefined);
  }
  if (opts.writeMyCnf && plan.mycnfPlan && plan.mycnfTree && plan.mycnfPlan.changes.length) {
    out.mycnfWritten = await applyPlan(plan.mycnfTree, plan.mycnfPlan);
  }
  return out;
}
