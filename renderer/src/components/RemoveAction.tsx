import { useState } from 'react';
import { useI18n } from '../i18n';
import { ConfirmDialog } from './ConfirmDialog';

/** "Remove …" on a card: a quiet link that asks first, with what removing loses, before `onRemove` runs. */
export function RemoveAction({ label, title, warning, busy, onRemove }: { label: string; title: string; warning: string; busy: boolean; onRemove: () => void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <div className="button-row spaced">
        <button type="button" className="link" disabled={busy} onClick={() => setAsking(true)}>
          {label}
        </button>
      </div>
      <ConfirmDialog
        open={asking}
        title={title}
        confirmLabel={t('channel.removeConfirm')}
        cancelLabel={t('action.cancel')}
        danger
        onCancel={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          onRemove();
        }}
      >
        <p>{warning}</p>
      </ConfirmDialog>
    </>
  );
}
