import { useId, type ReactNode } from 'react';

/** A titled section of a screen. The heading names the region for screen readers. */
export function Card({ title, actions, children, className, level = 2, id }: { title: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; level?: 2 | 3; id?: string }) {
  const headingId = useId();
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={headingId} id={id}>
      <header className="card-header">
        <H id={headingId} className="card-title">
          {title}
        </H>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
