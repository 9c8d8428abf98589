import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { CliIo } from '../../../core/cli/command';
import { fanoutCommand } from '../../../core/cli/commands/fanout';
import { freePort } from '../../servers/ports';
import { useSuiteServers } from '../../servers/suite';

const servers = useSuiteServers();

function io(): CliIo & { lines: string[]; errors: string[]; stop: () => void } {
  let stop!: () => void;
  const signal = new Promise<string>((r) => (stop = () => r('SIGTERM')));
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, stop, out: (l) => lines.push(l), err: (l) => errors.push(l), untilSignal: () => signal };
}

describe('replicadesk fanout (CLI over pgpool.conf)', () => {
  let dir: string;
  let conf: string;
  let port: number;
  let running: Promise<number>;
  const serverIo = io();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-fanout-cli-'));
    port = await freePort();
    const [a, b] = servers().pg;
    conf = path.join(dir, 'pgpool.conf');
    fs.writeFileSync(
      conf,
      [
        '# a pgpool-II 4.3 file as a user would have it',
        "backend_clustering_mode = 'native_replication'",
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `backend_hostname0 = '${a!.host}'`,
        `backend_port0 = ${a!.port}`,
        'backend_weight0 = 1',
        `backend_hostname1 = '${b!.host}'`,
        `backend_port1 = ${b!.port}`,
        'backend_weight1 = 1',
        "pool_passwd = 'pool_passwd'",
        'use_watchdog = off',
        'memqcache_total_size = 128MB',
        'no_such_parameter = 1',
      ].join('\n') + '\n',
    );
    fs.writeFileSync(path.join(dir, 'pool_passwd'), `${a!.user}:TEXT${a!.password}\n`, { mode: 0o600 });
    running = fanoutCommand.run(['start', '--config', conf, '--status-file', path.join(dir, 'status.json')], serverIo);
    const deadline = Date.now() + 20_000;
    while (!serverIo.lines.some((l) => l.includes('listening'))) {
      if (Date.now() > deadline) throw new Error(`fanout start did not come up: ${serverIo.errors.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    serverIo.stop();
    await running;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('start reports unknown and unsupported parameters with file and line', () => {
    assert.ok(serverIo.errors.some((l) => l === `${conf}:14: warning: "no_such_parameter" is not a pgpool-II 4.3 parameter (a typo, or a parameter of another version?); it is not used`), serverIo.errors.join('\n'));
    assert.ok(serverIo.errors.some((l) => l.startsWith(`${conf}:13: warning: memqcache_total_size`)), serverIo.errors.join('\n'));
  });

  test('clients connect on the configured port; nodes, detach and attach work through the control socket', async () => {
    const s = servers().pg[0]!;
    const c = new pg.Client({ host: '127.0.0.1', port, user: s.user, password: s.password, database: 'postgres' });
    await c.connect();
    assert.equal((await c.query('SELECT 1 AS x')).rows[0].x, 1);
    const nodes = io();
    assert.equal(await fanoutCommand.run(['nodes', '--config', conf], nodes), 0);
    assert.match(nodes.lines[0]!, /node_id \| hostname/);
    assert.match(nodes.lines[2]!, /^ 0 .*\| up .*\| main/);
    const detach = io();
    assert.equal(await fanoutCommand.run(['detach', '1', '--config', conf], detach), 0);
    assert.match(detach.lines[3]!, /^ 1 .*\| down/);
    assert.equal((await c.query('SELECT 2 AS x')).rows[0].x, 2, 'the session carries on without node 1');
    const status = JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8'));
    assert.equal(status['1'].status, 'down');
    const attach = io();
    assert.equal(await fanoutCommand.run(['attach', '1', '--config', conf], attach), 0);
    assert.match(attach.lines[3]!, /^ 1 .*\| up/);
    const json = io();
    await fanoutCommand.run(['nodes', '--config', conf, '--json'], json);
    assert.deepEqual(JSON.parse(json.lines.join('\n')).map((r: { status: string }) => r.status), ['up', 'up']);
    await c.end();
  });

  test('check lists every diagnostic; a bad node number is a usage error', async () => {
    const chk = io();
    assert.equal(await fanoutCommand.run(['check', '--config', conf], chk), 0);
    assert.ok(chk.lines.some((l) => l.includes(':12: info: use_watchdog = false')));
    await assert.rejects(fanoutCommand.run(['detach', 'x', '--config', conf], io()), /needs a node number/);
  });
});
