/**
 * TEST ONLY: renders the dashboard cards with engine-shaped rows (the shapes of core/mysql/channel/status.ts
 * and core/pg/node-status.ts), so the cards can be checked in a real browser, under the real CSP, in every
 * language, before the service API sends these rows. Never part of the app bundle (vite builds it from
 * test/browser/preview.test.ts into a temp folder). Not type-checked by `tsc -b` (the node project cannot
 * include renderer files); the renderer's own types are checked where they live.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../../../renderer/src/i18n';
import { ChannelCard } from '../../../renderer/src/screens/ChannelCard';
import { FanoutCard } from '../../../renderer/src/screens/FanoutCard';
import '../../../renderer/src/styles.css';

const params = new URLSearchParams(location.search);
localStorage.setItem('replicadesk.lang', params.get('lang') ?? 'en');
const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

const baseStatus = {
  Channel_Name: 'office1',
  Connection_name: 'office1',
  Slave_IO_State: 'Waiting for master to send event',
  Master_Host: '10.99.99.202',
  Master_User: 'repl',
  Master_Port: 3306,
  Connect_Retry: 60,
  Master_Log_File: 'mysql-bin.000024',
  Read_Master_Log_Pos: 3683,
  Relay_Log_File: 'office1-relay-bin.000002',
  Relay_Log_Pos: 235,
  Relay_Master_Log_File: 'mysql-bin.000024',
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Replicate_Do_DB: '',
  Replicate_Ignore_DB: '',
  Replicate_Do_Table: '',
  Replicate_Ignore_Table: '',
  Replicate_Wild_Do_Table: '',
  Replicate_Wild_Ignore_Table: '',
  Last_Errno: 0,
  Last_Error: '',
  Skip_Counter: 0,
  Exec_Master_Log_Pos: 3683,
  Relay_Log_Space: 1_482_113,
  Until_Condition: 'None',
  Until_Log_File: '',
  Until_Log_Pos: 0,
  Seconds_Behind_Master: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Master_Server_Id: 1,
  Using_Gtid: 'No',
  Gtid_IO_Pos: '',
  Slave_SQL_Running_State: 'Slave has read all relay log; waiting for more updates',
  Relay_Bytes_Behind: 0,
  Apply_Rate_Events: 12.5,
} as const;

const samples = Array.from({ length: 60 }, (_, i) => ({
  at: iso((59 - i) * 60_000),
  secondsBehindMaster: i >= 20 && i < 24 ? null : Math.round(Math.abs(Math.sin(i / 6)) * 40),
  eventsPerSecond: 5 + ((i * 7) % 23),
}));

const ok = { name: 'office1', slaveIoRunning: 'Yes', slaveSqlRunning: 'Yes' } as const;
const failed = { name: 'office2', slaveIoRunning: 'Yes', slaveSqlRunning: 'No' } as const;
const failedStatus = {
  ...baseStatus,
  Channel_Name: 'office2',
  Connection_name: 'office2',
  Slave_SQL_Running: 'No',
  Seconds_Behind_Master: null,
  Last_Errno: 1062,
  Last_Error: "Could not execute Write_rows_v1 event on table shop.orders; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-bin.000024, end_log_pos 4120",
  Last_SQL_Errno: 1062,
  Last_SQL_Error: "Could not execute Write_rows_v1 event on table shop.orders; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-bin.000024, end_log_pos 4120",
  Exec_Master_Log_Pos: 3900,
  Relay_Bytes_Behind: 220,
  Slave_SQL_Running_State: '',
  Last_SQL_Error_Timestamp: iso(5 * 60_000),
} as const;
// A fresh copy of office3 started elsewhere (the CLI, another window): the job names its channel.
const stopped = { name: 'office3', slaveIoRunning: 'No', slaveSqlRunning: 'No' } as const;
const recloneJob = {
  id: 'job-7',
  kind: 'reclone',
  title: 'Fresh copy for channel office3',
  status: 'running',
  startedAt: iso(120_000),
  endedAt: null,
  progress: { step: 'copying', phase: 'data', tablesTotal: 12, tablesDone: 5, rowsTotal: 0, rowsDone: 0, bytesTotal: 48_000_000, bytesDone: 20_000_000, current: ['shop.orders'], elapsedMs: 120_000, etaSeconds: 170 },
  result: null,
  error: null,
  target: { kind: 'channel', name: 'office3' },
} as const;
const noop = async () => undefined;
const channelOps = { retry: noop, skip: noop, reclone: noop, start: noop, stop: noop };
const nodes = [
  { node_id: 0, hostname: 'pg-a.office.lan', port: 5432, status: 'up', pg_status: 'up', lb_weight: 0.5, role: 'main', select_cnt: 10234, load_balance_node: false, last_status_change: iso(86_400_000) },
  { node_id: 1, hostname: 'pg-b.office.lan', port: 5432, status: 'down', pg_status: 'down', lb_weight: 0.25, role: 'replica', select_cnt: 4388, load_balance_node: false, last_status_change: iso(600_000) },
  { node_id: 2, hostname: 'pg-c.office.lan', port: 5433, status: 'recovering', pg_status: 'up', lb_weight: 0.25, role: 'replica', select_cnt: 877, load_balance_node: false, last_status_change: iso(60_000) },
] as const;
const recoveries = new Map([[2, { nodeId: 2, phase: 'copy', progress: 0.42, database: 'shop' }]]);
const fanoutOps = { attach: noop, detach: noop, recover: noop, start: noop, stop: noop };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <main className="main">
        <h1 className="screen-title">Preview</h1>
        <ChannelCard summary={ok} status={baseStatus as never} samples={samples} ops={channelOps} now={now} />
        <ChannelCard summary={failed} status={failedStatus as never} samples={samples.slice(0, 30)} ops={channelOps} now={now} />
        <ChannelCard summary={stopped} ops={channelOps} job={recloneJob as never} now={now} />
        <FanoutCard summary={{ name: 'pg-office', running: true, nodes: 3 }} nodes={nodes as never} recoveries={recoveries as never} ops={fanoutOps} />
      </main>
    </I18nProvider>
  </StrictMode>,
);
