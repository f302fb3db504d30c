import { useState } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { useI18n } from '../hooks/useI18n';

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Some iframes lack the clipboard-write permission: fall back to a selection copy.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('copy refused');
  }
}

export interface CopyButtonProps {
  text: string;
  /** What is copied, for the accessible name: "Copy Call-ID". */
  what: string;
}

/** Copies a value (the Call-ID) and says whether it worked. */
export function CopyButton({ text, what }: CopyButtonProps) {
  const { t } = useI18n();
  const [result, setResult] = useState<'copied' | 'failed'>();
  const copy = () =>
    copyText(text).then(
      () => setResult('copied'),
      () => setResult('failed'),
    );
  return (
    <>
      <Button
        size="small"
        isBasic
        onClick={() => void copy()}
        aria-label={t('ui.copy.label', { what })}
      >
        {result ? t(`ui.copy.${result}`) : t('ui.copy.label', { what: '' }).trim()}
      </Button>
      <span role="status" className="visually-hidden">
        {result ? t(`ui.copy.${result}`) : ''}
      </span>
    </>
  );
}
