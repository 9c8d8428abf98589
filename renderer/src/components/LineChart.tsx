import { useId } from 'react';

export interface ChartPoint {
  t: number;
  v: number | null;
}

/**
 * A small SVG line chart over a fixed time window (no chart library: the needs are one line, a time axis
 * and a maximum). Gaps (null) break the line instead of drawing a false slope. The summary in words is the
 * accessible name, and is also shown as the caption.
 */
export function LineChart({
  points,
  from,
  to,
  title,
  summary,
  formatValue,
  axisLabels,
  className,
}: {
  points: readonly ChartPoint[];
  from: number;
  to: number;
  title: string;
  summary: string;
  formatValue: (v: number) => string;
  axisLabels: [string, string, string];
  className?: string;
}) {
  const W = 320;
  const H = 100;
  const padL = 4;
  const padR = 4;
  const padT = 6;
  const padB = 4;
  const descId = useId();
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  const max = Math.max(1, ...values);
  const x = (t: number) => padL + ((t - from) / Math.max(1, to - from)) * (W - padL - padR);
  const y = (v: number) => padT + (1 - v / max) * (H - padT - padB);
  const segments: string[] = [];
  let current: string[] = [];
  for (const p of points) {
    if (p.v === null || p.t < from || p.t > to) {
      if (current.length) segments.push(current.join(' '));
      current = [];
      continue;
    }
    current.push(`${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(' '));
  return (
    <figure className={`chart ${className ?? ''}`}>
      <figcaption className="chart-title">
        {title} <span className="chart-max">{formatValue(max)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} aria-describedby={descId} preserveAspectRatio="none" className="chart-svg">
        <line x1={padL} x2={W - padR} y1={H - padB} y2={H - padB} className="chart-axis" />
        <line x1={padL} x2={W - padR} y1={padT} y2={padT} className="chart-grid" />
        <line x1={padL} x2={W - padR} y1={(H + padT - padB) / 2} y2={(H + padT - padB) / 2} className="chart-grid" />
        {segments.map((s, i) =>
          s.includes(' ') ? <polyline key={i} points={s} className="chart-line" /> : <circle key={i} cx={s.split(',')[0]} cy={s.split(',')[1]} r="1.8" className="chart-dot" />,
        )}
      </svg>
      <div className="chart-axis-labels" aria-hidden="true">
        <span>{axisLabels[0]}</span>
        <span>{axisLabels[1]}</span>
        <span>{axisLabels[2]}</span>
      </div>
      <p id={descId} className="chart-summary">
        {summary}
      </p>
    </figure>
  );
}
