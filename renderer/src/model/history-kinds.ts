import type { MessageKey } from '../i18n/en';

/**
 * What each kind of history entry means, in a sentence for someone who was not watching. Kinds are the
 * stable `kind` strings the service records; a kind not listed here shows its message only.
 */
const MEANINGS: [RegExp, MessageKey][] = [
  [/^service\.started$/, 'historyKind.service.started'],
  [/^service\.stopped$/, 'historyKind.service.stopped'],
  [/^stop\.failed$/, 'historyKind.stop.failed'],
  [/^channel\.created$/, 'historyKind.channel.created'],
  [/^channel\.deleted$/, 'historyKind.channel.deleted'],
  [/^channels\.resume\.failed$/, 'historyKind.channel.resumeFailed'],
  [/^channel\.(started|start)$/, 'historyKind.channel.started'],
  [/^channel\.(stopped|stop)$/, 'historyKind.channel.stopped'],
  [/^(channel\.)?io\.(error|stopped)$/, 'historyKind.io.error'],
  [/^(channel\.)?sql\.(error|stopped)$/, 'historyKind.sql.error'],
  [/^(channel\.)?(io\.)?reconnect(ing|ed)?$/, 'historyKind.reconnect'],
  [/^io\.connected$/, 'historyKind.io.connected'],
  [/^sql\.warning$/, 'historyKind.sql.warning'],
  [/^relay\.truncated$/, 'historyKind.relay.truncated'],
  [/^relay\.recovered$/, 'historyKind.relay.recovered'],
  [/^relay\.recovery-failed$/, 'historyKind.relay.failed'],
  [/^channel\.reset$/, 'historyKind.channel.reset'],
  [/^(channel\.)?lag(\.high)?$/, 'historyKind.lag'],
  [/^(channel\.)?skip(ped)?$/, 'historyKind.skip'],
  [/^(channel\.)?(re)?clone\.(started|done|finished|failed)$/, 'historyKind.clone'],
  [/^fanout\.created$/, 'historyKind.fanout.created'],
  [/^fanout\.start\.failed$/, 'historyKind.fanout.startFailed'],
  [/^fanout\.mismatch$/, 'historyKind.fanout.mismatch'],
  [/^fanout\.warning$/, 'historyKind.fanout.warning'],
  [/^fanout\.node\.recovering$/, 'historyKind.node.recovering'],
  [/^fanout\.(started|start)$/, 'historyKind.fanout.started'],
  [/^fanout\.(stopped|stop)$/, 'historyKind.fanout.stopped'],
  [/^(fanout\.)?node\.(detached|down)$/, 'historyKind.node.detached'],
  [/^(fanout\.)?node\.(attached|up)$/, 'historyKind.node.attached'],
  [/^(fanout\.)?node\.recover(ed|y)?/, 'historyKind.node.recovered'],
  [/^(setup\.)?purge/, 'historyKind.purge'],
];

export function historyMeaning(kind: string): MessageKey | undefined {
  for (const [re, key] of MEANINGS) if (re.test(kind)) return key;
  return undefined;
}
