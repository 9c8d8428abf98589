import { useEffect, useRef, useState } from 'react';
import type { FanoutSummary } from '../../../core/api/types';
import { Card } from '../components/Card';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { RemoveAction } from '../components/RemoveAction';
import { DataTable, type Column } from '../components/DataTable';
import { Notice } from '../components/Notice';
import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import { phaseKey } from '../model/phases';
import type { MessageKey } from '../i18n/en';
import { desktopFanout, fanoutHealth } from '../model/health';
import { desktopFanoutFromNodes, nodeActions, type NodeRecovery, type PoolNode } from '../model/pool-node';
import { ProgressBar } from '../components/ProgressBar';
import type { FanoutOps } from '../services/capabilities';
import { REASON_KEY } from './ChannelCard';

const NODE_TONE: Record<PoolNode['status'], Tone> = { up: 'ok', waiting: 'ok', down: 'error', recovering: 'warn', unused: 'idle' };
const NODE_STATUS_KEY: Record<PoolNode['status'], MessageKey> = {
  up: 'node.status.up',
  waiting: 'node.status.waiting',
  down: 'node.status.down',
  recovering: 'node.status.recovering',
  unused: 'node.status.unused',
};
const ACTION_KEY = { attach: 'node.attach', detach: 'node.detach', recover: 'node.recover' } as const;

/**
 * One PostgreSQL fan-out: its backends as SHOW POOL_NODES lists them, their state in words and colour,
 * and attach / detach / recover with progress. Detaching asks first: a detached server stops receiving
 * writes and must be recovered (copied back in step) before it can return.
 */
export function FanoutCard({
  summary,
  nodes,
  recoveries,
  ops,
  focused,
  onRecoveryStarted,
}: {
  summary: FanoutSummary;
  nodes?: PoolNode[];
  recoveries?: ReadonlyMap<number, NodeRecovery>;
  ops: FanoutOps;
  focused?: boolean;
  /** A recovery job was started for a node (the dashboard follows its progress). */
  onRecoveryStarted?: (nodeId: number, jobId: string) => void;
}) {
  const { t, formatNumber, formatDate } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const base = desktopFanout(summary);
  const health = fanoutHealth(nodes ? desktopFanoutFromNodes(summary.name, summary.running, base.error, nodes) : base);
  const [run, action] = useAction();
  const [pending, setPending] = useState<{ nodeId: number; verb: 'attach' | 'detach' | 'recover' } | undefined>();
  const [confirm, setConfirm] = useState<{ node: PoolNode; verb: 'detach' | 'attach' } | undefined>();
  useEffect(() => {
    if (focused) {
      ref.current?.scrollIntoView({ block: 'start' });
      ref.current?.querySelector<HTMLElement>('[data-focus-target]')?.focus();
    }
  }, [focused]);

  const act = (node: PoolNode, verb: 'attach' | 'detach' | 'recover') => {
    const fn = ops[verb];
    if (!fn) return;
    setPending({ nodeId: node.node_id, verb });
    void run(async () => {
      const r: unknown = await fn(summary.name, node.node_id);
      if (verb === 'recover' && onRecoveryStarted && typeof r === 'object' && r !== null && 'id' in r) onRecoveryStarted(node.node_id, String(r.id));
    }).finally(() => setPending(undefined));
  };

  const columns: Column<PoolNode>[] = [
    { key: 'node_id', header: <ColumnHead label={t('node.col.id')} raw="node_id" />, render: (n) => n.node_id, numeric: true },
    { key: 'hostname', header: <ColumnHead label={t('node.col.host')} raw="hostname" />, render: (n) => <code>{n.hostname}</code> },
    { key: 'port', header: <ColumnHead label={t('node.col.port')} raw="port" />, render: (n) => n.port, numeric: true },
    { key: 'status', header: <ColumnHead label={t('node.col.status')} raw="status" />, render: (n) => <StatusBadge tone={NODE_TONE[n.status]} label={t(NODE_STATUS_KEY[n.status])} /> },
    { key: 'lb_weight', header: <ColumnHead label={t('node.col.weight')} raw="lb_weight" />, render: (n) => formatNumber(n.lb_weight, { maximumFractionDigits: 3 }), numeric: true },
    { key: 'role', header: <ColumnHead label={t('node.col.role')} raw="role" />, render: (n) => n.role },
    { key: 'select_cnt', header: <ColumnHead label={t('node.col.reads')} raw="select_cnt" />, render: (n) => formatNumber(n.select_cnt), numeric: true },
    { key: 'last_status_change', header: <ColumnHead label={t('node.col.changed')} raw="last_status_change" />, render: (n) => (n.last_status_change ? formatDate(n.last_status_change) : '—') },
    {
      key: 'actions',
      header: t('node.col.actions'),
      render: (n) => {
        const verbs = nodeActions(n.status).filter((v) => ops[v]);
        const recovery = recoveries?.get(n.node_id);
        if (recovery && recovery.phase !== 'attached' && recovery.phase !== 'failed') {
          return (
            <ProgressBar
              label={t('node.recovery', { phase: phaseKey(recovery.phase) ? t(phaseKey(recovery.phase)!) : recovery.phase })}
              {...(recovery.phase === 'copy' && recovery.progress !== undefined ? { value: recovery.progress, max: 1 } : {})}
              {...(recovery.database ? { detail: recovery.database } : {})}
            />
          );
        }
        if (pending?.nodeId === n.node_id) {
          return (
            <span className="inline-progress" role="status">
              <progress aria-label={t('node.progress', { verb: t(ACTION_KEY[pending.verb]), id: n.node_id })} /> {t('action.working')}
            </span>
          );
        }
        return (
          <span className="button-row">
            {verbs.map((v) => (
              <button key={v} type="button" disabled={action.busy} onClick={() => (v === 'recover' ? act(n, v) : setConfirm({ node: n, verb: v }))} aria-label={`${t(ACTION_KEY[v])} ${n.hostname}:${n.port}`}>
                {t(ACTION_KEY[v])}
              </button>
            ))}
          </span>
        );
      },
    },
  ];
  if (!Object.values(ops).some(Boolean)) columns.pop();

  return (
    <div ref={ref} className={`unit-card${focused ? ' focused' : ''}`} data-testid={`fanout-${summary.name}`}>
      <Card
        level={3}
        title={
          <span tabIndex={-1} data-focus-target>
            <span className="unit-kind">PostgreSQL</span> {summary.name}
          </span>
        }
        actions={
          <>
            <StatusBadge tone={health.health === 'idle' ? 'idle' : health.health} label={t(REASON_KEY[health.reason], { up: health.nodesUp ?? 0, total: health.nodesTotal ?? 0 })} />
            {ops.start && !summary.running ? (
              <button type="button" disabled={action.busy} onClick={() => void run(() => ops.start!(summary.name))}>
                {t('fanout.start')}
              </button>
            ) : null}
            {ops.stop && summary.running ? (
              <button type="button" disabled={action.busy} onClick={() => void run(() => ops.stop!(summary.name))}>
                {t('fanout.stop')}
              </button>
            ) : null}
          </>
        }
      >
        {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
        <p>
          {t(summary.running ? 'fanout.running' : 'fanout.stopped')} · {t('fanout.nodeCount', { count: summary.nodes })}
        </p>
        {nodes ? <DataTable caption={t('fanout.nodesCaption', { name: summary.name })} columns={columns} rows={nodes} rowKey={(n) => String(n.node_id)} /> : null}
        {nodes?.some((n) => n.status === 'down') ? <Notice tone="warn">{t('fanout.detachedHelp')}</Notice> : null}
        {summary.lastError && !summary.running ? (
          <Notice tone="error" title={t('fanout.lastError')}>
            <span data-untranslated>{summary.lastError}</span>
          </Notice>
        ) : null}
        {summary.configPath ? (
          <p className="secondary">
            {t('fanout.configFrom', { path: summary.configPath })}
            {summary.listen ? ` · ${t('fanout.listening', { listen: summary.listen })}` : ''}
          </p>
        ) : null}
        {ops.remove && !summary.running ? (
          <RemoveAction
            label={t('fanout.removeUnit')}
            title={t('fanout.removeTitle', { name: summary.name })}
            warning={t('fanout.removeWarning')}
            busy={action.busy}
            onRemove={() => void run(() => ops.remove!(summary.name))}
          />
        ) : null}
      </Card>
      <ConfirmDialog
        open={!!confirm}
        title={confirm ? t(confirm.verb === 'detach' ? 'node.detachTitle' : 'node.attachTitle', { host: `${confirm.node.hostname}:${confirm.node.port}` }) : ''}
        confirmLabel={t(confirm?.verb === 'attach' ? 'node.attach' : 'node.detach')}
        cancelLabel={t('action.cancel')}
        danger
        onCancel={() => setConfirm(undefined)}
        onConfirm={() => {
          const c = confirm!;
          setConfirm(undefined);
          act(c.node, c.verb);
        }}
      >
        <p>{t(confirm?.verb === 'attach' ? 'node.attachWarning' : 'node.detachWarning')}</p>
      </ConfirmDialog>
    </div>
  );
}

function ColumnHead({ label, raw }: { label: string; raw: string }) {
  return (
    <>
      {label}
      <span className="raw col-raw">{raw}</span>
    </>
  );
}
