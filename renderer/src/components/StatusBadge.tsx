export type Tone = 'ok' | 'warn' | 'error' | 'idle' | 'info';

/** Every state has a symbol and words as well as a colour, so it reads the same without colour. */
const SYMBOL: Record<Tone, string> = { ok: '✓', warn: '!', error: '✕', idle: '–', info: 'i' };

export function StatusBadge({ tone, label, title }: { tone: Tone; label: string; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      <span className="badge-symbol" aria-hidden="true">
        {SYMBOL[tone]}
      </span>
      {label}
    </span>
  );
}
