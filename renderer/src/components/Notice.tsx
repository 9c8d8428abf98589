import type { ReactNode } from 'react';
import type { Tone } from './StatusBadge';

/** A message block; errors and warnings are announced (role alert), the rest politely (status). */
export function Notice({ tone = 'info', title, children }: { tone?: Tone; title?: ReactNode; children?: ReactNode }) {
  const role = tone === 'error' || tone === 'warn' ? 'alert' : 'status';
  return (
    <div className={`notice notice-${tone}`} role={role}>
      {title ? <strong className="notice-title">{title}</strong> : null}
      {children ? <div className="notice-body">{children}</div> : null}
    </div>
  );
}
