import { ProgressBar } from '../components/ProgressBar';
import { useI18n } from '../i18n';
import { phaseKey } from '../model/phases';
import type { CloneProgress } from '../model/preflight';

export function isCloneProgress(p: unknown): p is CloneProgress {
  return typeof p === 'object' && p !== null && 'phase' in p && 'tablesTotal' in p && 'bytesDone' in p;
}

/** An initial copy's progress in words and figures (the wizard's copy, a fresh copy of a channel, the jobs list). */
export function CloneProgressBar({ progress: p, label }: { progress: CloneProgress; label?: string }) {
  const { t, formatBytes, formatNumber, formatDuration } = useI18n();
  return (
    <ProgressBar
      label={label ?? t('clone.phase', { phase: phaseKey(p.phase) ? t(phaseKey(p.phase)!) : p.phase })}
      value={p.bytesTotal ? p.bytesDone : p.tablesDone}
      max={p.bytesTotal || p.tablesTotal || 1}
      detail={t('clone.detail', {
        tables: `${formatNumber(p.tablesDone)} / ${formatNumber(p.tablesTotal)}`,
        bytes: `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}`,
        eta: p.etaSeconds === null ? '—' : formatDuration(p.etaSeconds),
      })}
    />
  );
}
