import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n';

export interface WizardStep {
  id: string;
  title: string;
}

/**
 * The frame every wizard shares: the list of steps (done ones can be revisited), the current step as a
 * form (Enter goes on, Escape cancels), and Back / Next. When the step changes, focus moves to its heading
 * so keyboard and screen-reader users start at the top of the new step.
 */
export function Wizard({
  title,
  steps,
  current,
  onStep,
  onNext,
  onCancel,
  nextLabel,
  nextDisabled = false,
  busy = false,
  children,
}: {
  title: string;
  steps: WizardStep[];
  current: number;
  onStep: (index: number) => void;
  onNext: () => void;
  onCancel?: () => void;
  nextLabel?: string;
  nextDisabled?: boolean;
  busy?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  const titleId = useId();
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [current]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!nextDisabled && !busy) onNext();
  };
  const step = steps[current]!;
  return (
    <div className="wizard">
      <h1 id={titleId} className="screen-title">
        {title}
      </h1>
      <nav aria-label={t('wizard.stepsLabel')}>
        <ol className="wizard-steps">
          {steps.map((s, i) => (
            <li key={s.id} className={i < current ? 'done' : i === current ? 'current' : 'todo'} aria-current={i === current ? 'step' : undefined}>
              {i < current ? (
                <button type="button" className="link" onClick={() => onStep(i)} disabled={busy}>
                  <span className="step-no">{i + 1}</span> {s.title}
                </button>
              ) : (
                <span>
                  <span className="step-no">{i + 1}</span> {s.title}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <form
        className="wizard-body"
        aria-labelledby={titleId}
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && onCancel && !busy) {
            e.preventDefault();
            onCancel();
          }
        }}
        noValidate
      >
        <h2 ref={headingRef} tabIndex={-1} className="wizard-step-title">
          {t('wizard.stepOf', { n: current + 1, total: steps.length })} {step.title}
        </h2>
        {children}
        <div className="wizard-actions">
          {onCancel ? (
            <button type="button" onClick={onCancel} disabled={busy}>
              {t('wizard.cancel')}
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" onClick={() => onStep(current - 1)} disabled={current === 0 || busy}>
            {t('wizard.back')}
          </button>
          {current < steps.length - 1 || nextLabel ? (
            <button type="submit" className="primary" disabled={nextDisabled || busy} aria-busy={busy || undefined}>
              {nextLabel ?? t('wizard.next')}
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}
