/**
 * The desktop shell's own sentences (tray, menu, notifications) in the app's three languages. Electron
 * main has no React and no renderer catalog, so these live here; ja and zh are typed against en, so a
 * missing sentence is a compile error, as in the renderer.
 */
const en = {
  'tray.tooltip.idle': 'ReplicaDesk: nothing is set up yet',
  'tray.tooltip.ok': 'ReplicaDesk: every backup is up to date',
  'tray.tooltip.warn': 'ReplicaDesk: {count} need attention',
  'tray.tooltip.error': 'ReplicaDesk: {count} stopped with an error',
  'menu.open': 'Open ReplicaDesk',
  'menu.startAll': 'Start all',
  'menu.stopAll': 'Stop all',
  'menu.openAtLogin': 'Open at login',
  'menu.quit': 'Quit ReplicaDesk (stops all backups)',
  'menu.noUnits': 'No backups set up yet',
  'menu.line': '{name}: {state}',
  'kind.channel': 'MySQL',
  'kind.fanout': 'PostgreSQL',
  'reason.replicating': 'up to date',
  'reason.lagging': '{lag} behind',
  'reason.reconnecting': 'reconnecting to the master',
  'reason.stopped': 'stopped',
  'reason.io-error': 'stopped: cannot read from the master',
  'reason.sql-error': 'stopped: a change could not be applied',
  'reason.serving': '{up} of {total} servers in step',
  'reason.node-detached': '{up} of {total} servers in step, {down} detached',
  'reason.node-recovering': '{up} of {total} servers in step, {down} being recovered',
  'reason.all-nodes-down': 'no server reachable',
  'reason.fanout-error': 'stopped with an error',
  'notify.ioError.title': 'Backup "{name}" stopped',
  'notify.ioError.body': 'It cannot read changes from the master (error {errno}: {message}). Open ReplicaDesk to see what to do.',
  'notify.sqlError.title': 'Backup "{name}" stopped',
  'notify.sqlError.body': 'A change could not be applied to the backup (error {errno}: {message}). Open ReplicaDesk to see what to do.',
  'notify.lag.title': 'Backup "{name}" is falling behind',
  'notify.lag.body': 'It is {lag} behind the master (the warning limit is {limit}).',
  'notify.nodeDetached.title': 'A PostgreSQL server left "{name}"',
  'notify.nodeDetached.body': 'Server {host}:{port} (node {id}) no longer receives writes. Recover it in ReplicaDesk when it is back.',
  'notify.fanoutError.title': 'Fan-out "{name}" stopped',
  'notify.fanoutError.body': 'It stopped with an error: {message}. Applications cannot write through it until it is started again.',
  'notify.held.title': 'More problems in ReplicaDesk',
  'notify.held.body': '{count} more alerts were held back. Open ReplicaDesk for the details.',
  'duration.s': '{s} s',
  'duration.m': '{m} min',
  'duration.hm': '{h} h {m} min',
} as const;

export type DesktopMessageKey = keyof typeof en;
type Catalog = Record<DesktopMessageKey, string>;

const ja: Catalog = {
  'tray.tooltip.idle': 'ReplicaDesk: まだ何も設定されていません',
  'tray.tooltip.ok': 'ReplicaDesk: すべてのバックアップが最新です',
  'tray.tooltip.warn': 'ReplicaDesk: {count} 件に注意が必要です',
  'tray.tooltip.error': 'ReplicaDesk: {count} 件がエラーで停止しています',
  'menu.open': 'ReplicaDesk を開く',
  'menu.startAll': 'すべて開始',
  'menu.stopAll': 'すべて停止',
  'menu.openAtLogin': 'ログイン時に起動',
  'menu.quit': 'ReplicaDesk を終了（すべてのバックアップを停止）',
  'menu.noUnits': 'バックアップはまだ設定されていません',
  'menu.line': '{name}: {state}',
  'kind.channel': 'MySQL',
  'kind.fanout': 'PostgreSQL',
  'reason.replicating': '最新',
  'reason.lagging': '{lag} 遅れ',
  'reason.reconnecting': 'マスターへ再接続中',
  'reason.stopped': '停止中',
  'reason.io-error': '停止: マスターから読み込めません',
  'reason.sql-error': '停止: 変更を適用できませんでした',
  'reason.serving': '{total} 台中 {up} 台が同期',
  'reason.node-detached': '{total} 台中 {up} 台が同期、{down} 台が切り離し',
  'reason.node-recovering': '{total} 台中 {up} 台が同期、{down} 台を復旧中',
  'reason.all-nodes-down': '接続できるサーバーがありません',
  'reason.fanout-error': 'エラーで停止',
  'notify.ioError.title': 'バックアップ「{name}」が停止しました',
  'notify.ioError.body': 'マスターから変更を読み込めません（エラー {errno}: {message}）。対処方法は ReplicaDesk を開いて確認してください。',
  'notify.sqlError.title': 'バックアップ「{name}」が停止しました',
  'notify.sqlError.body': '変更をバックアップに適用できませんでした（エラー {errno}: {message}）。対処方法は ReplicaDesk を開いて確認してください。',
  'notify.lag.title': 'バックアップ「{name}」が遅れています',
  'notify.lag.body': 'マスターより {lag} 遅れています（警告の基準は {limit}）。',
  'notify.nodeDetached.title': 'PostgreSQL サーバーが「{name}」から外れました',
  'notify.nodeDetached.body': 'サーバー {host}:{port}（ノード {id}）には書き込みが届いていません。復旧したら ReplicaDesk で再接続してください。',
  'notify.fanoutError.title': '書き込み分配「{name}」が停止しました',
  'notify.fanoutError.body': 'エラーで停止しました: {message}。再開するまでアプリケーションはここから書き込めません。',
  'notify.held.title': 'ReplicaDesk でほかにも問題があります',
  'notify.held.body': 'ほかに {count} 件の通知を保留しました。詳細は ReplicaDesk を開いてください。',
  'duration.s': '{s} 秒',
  'duration.m': '{m} 分',
  'duration.hm': '{h} 時間 {m} 分',
};

const zh: Catalog = {
  'tray.tooltip.idle': 'ReplicaDesk：尚未进行任何设置',
  'tray.tooltip.ok': 'ReplicaDesk：所有备份都是最新的',
  'tray.tooltip.warn': 'ReplicaDesk：{count} 项需要注意',
  'tray.tooltip.error': 'ReplicaDesk：{count} 项因错误而停止',
  'menu.open': '打开 ReplicaDesk',
  'menu.startAll': '全部启动',
  'menu.stopAll': '全部停止',
  'menu.openAtLogin': '登录时启动',
  'menu.quit': '退出 ReplicaDesk（停止所有备份）',
  'menu.noUnits': '尚未设置任何备份',
  'menu.line': '{name}：{state}',
  'kind.channel': 'MySQL',
  'kind.fanout': 'PostgreSQL',
  'reason.replicating': '已是最新',
  'reason.lagging': '落后 {lag}',
  'reason.reconnecting': '正在重新连接主库',
  'reason.stopped': '已停止',
  'reason.io-error': '已停止：无法从主库读取',
  'reason.sql-error': '已停止：有更改无法应用',
  'reason.serving': '{total} 台服务器中 {up} 台同步',
  'reason.node-detached': '{total} 台服务器中 {up} 台同步，{down} 台已分离',
  'reason.node-recovering': '{total} 台服务器中 {up} 台同步，{down} 台正在恢复',
  'reason.all-nodes-down': '没有可连接的服务器',
  'reason.fanout-error': '因错误而停止',
  'notify.ioError.title': '备份“{name}”已停止',
  'notify.ioError.body': '无法从主库读取更改（错误 {errno}：{message}）。请打开 ReplicaDesk 查看处理方法。',
  'notify.sqlError.title': '备份“{name}”已停止',
  'notify.sqlError.body': '有一项更改无法应用到备份（错误 {errno}：{message}）。请打开 ReplicaDesk 查看处理方法。',
  'notify.lag.title': '备份“{name}”正在落后',
  'notify.lag.body': '比主库落后 {lag}（警告界限为 {limit}）。',
  'notify.nodeDetached.title': '一台 PostgreSQL 服务器已离开“{name}”',
  'notify.nodeDetached.body': '服务器 {host}:{port}（节点 {id}）不再接收写入。恢复后请在 ReplicaDesk 中重新加入。',
  'notify.fanoutError.title': '写入分发“{name}”已停止',
  'notify.fanoutError.body': '因错误而停止：{message}。重新启动之前，应用程序无法通过它写入。',
  'notify.held.title': 'ReplicaDesk 中还有其他问题',
  'notify.held.body': '另有 {count} 条提醒被暂缓。请打开 ReplicaDesk 查看详情。',
  'duration.s': '{s} 秒',
  'duration.m': '{m} 分钟',
  'duration.hm': '{h} 小时 {m} 分钟',
};

export const DESKTOP_LANGS = { en, ja, zh } as const;
export type DesktopLang = keyof typeof DESKTOP_LANGS;

/** The first of the OS's preferred languages that we speak, else English. */
export function pickDesktopLang(preferred: readonly string[]): DesktopLang {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (base && base in DESKTOP_LANGS) return base as DesktopLang;
  }
  return 'en';
}

export type Translate = (key: DesktopMessageKey, vars?: Record<string, string | number>) => string;

export function desktopTranslator(lang: DesktopLang): Translate {
  const catalog: Catalog = DESKTOP_LANGS[lang];
  return (key, vars = {}) => catalog[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** "45 s", "12 min", "2 h 5 min": lag is read at a glance, so no more precision than that. */
export function formatDuration(t: Translate, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('duration.s', { s });
  if (s < 3600) return t('duration.m', { m: Math.floor(s / 60) });
  return t('duration.hm', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}
