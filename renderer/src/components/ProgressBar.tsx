import { useId } from 'react';

/**
 * Progress with its words: a native <progress> (announced by screen readers) plus the figures in text.
 * `value` undefined means "working, amount unknown".
 */
export function ProgressBar({ label, value, max = 1, detail }: { label: string; value?: number; max?: number; detail?: string }) {
  const id = useId();
  const pct = value === undefined || max <= 0 ? undefined : Math.round((Math.min(value, max) / max) * 100);
  return (
    <div className="progress">
      <div className="progress-label">
        <label htmlFor={id}>{label}</label>
        {pct !== undefined ? <span className="progress-pct">{pct}%</span> : null}
      </div>
      {value === undefined ? <progress id={id} /> : <progress id={id} value={Math.min(value, max)} max={max} />}
      {detail ? <div className="progress-detail">{detail}</div> : null}
    </div>
  );
}
