import { useCallback, useEffect, useState } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { XL } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import {
  ConsoleError,
  createLine,
  listLines,
  patchLine,
  type ConsoleTarget,
  type Line,
} from './consoleApi';
import { LineForm } from './LineForm';
import { LinesTable } from './LinesTable';
import {
  createBody,
  draftOf,
  emptyDraft,
  issuesByField,
  patchBody,
  type FieldProblems,
  type LineDraft,
} from './lineForm';

type Editing = { mode: 'create' } | { mode: 'edit'; line: Line } | null;

const KNOWN_ERRORS = new Set([
  'admin_required',
  'sign_in_required',
  'unauthorized',
  'unreachable',
  'not_configured',
]);

/** What went wrong, in words the admin can act on (never the values they typed). */
function useFailureText() {
  const { t } = useI18n();
  return (e: unknown) => {
    const failure = e instanceof ConsoleError ? e : new ConsoleError(0, 'unreachable');
    return KNOWN_ERRORS.has(failure.code)
      ? t(`console.errors.${failure.code}`)
      : t('console.errors.other', { status: failure.status });
  };
}

/** The Worker's refusal of a save, by field; a slug conflict belongs to the slug. */
function refusalProblems(e: unknown): FieldProblems | null {
  if (!(e instanceof ConsoleError)) return null;
  if (e.code === 'conflict') return { slug: { text: e.issues[0]?.message ?? e.message } };
  if (e.issues.length) return issuesByField(e.issues);
  return null;
}

/** The Lines page: the table, and the form for a new line or the one being edited. */
export function LinesPage({ target }: { target: ConsoleTarget }) {
  const { t } = useI18n();
  const failureText = useFailureText();
  const [lines, setLines] = useState<Line[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [serverProblems, setServerProblems] = useState<FieldProblems>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(() => {
    listLines(target).then(
      (found) => {
        setLines(found);
        setLoadError(null);
      },
      (e: unknown) => setLoadError(failureText(e)),
    );
    // failureText only reads the translator, which does not change while the page is open.
  }, [target]);
  useEffect(load, [load]);

  const open = (next: Editing) => {
    setEditing(next);
    setServerProblems({});
    setSaveError(null);
    setSaved(null);
  };
  const save = async (draft: LineDraft) => {
    if (!editing) return;
    setSaving(true);
    setSaveError(null);
    try {
      const line =
        editing.mode === 'create'
          ? await createLine(target, createBody(draft))
          : await patchLine(target, editing.line.slug, patchBody(draft));
      setEditing(null);
      setSaved(t('console.lines.saved', { name: line.name }));
      load();
    } catch (e) {
      const problems = refusalProblems(e);
      if (problems) setServerProblems(problems);
      else setSaveError(failureText(e));
    } finally {
      setSaving(false);
    }
  };

  if (loadError) {
    return (
      <Alert type="error" role="alert">
        <Alert.Paragraph>{loadError}</Alert.Paragraph>
      </Alert>
    );
  }
  if (!lines) return <Dots aria-label={t('console.loading')} />;
  return (
    <section className="console-lines" aria-labelledby="console-lines-title">
      <div className="console-heading">
        <XL tag="h1" id="console-lines-title">
          {t('console.lines.title')}
        </XL>
        {editing ? null : (
          <Button isPrimary onClick={() => open({ mode: 'create' })}>
            {t('console.lines.new')}
          </Button>
        )}
      </div>
      {saved ? (
        <Alert type="success" role="status">
          <Alert.Paragraph>{saved}</Alert.Paragraph>
        </Alert>
      ) : null}
      {saveError ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{saveError}</Alert.Paragraph>
        </Alert>
      ) : null}
      {editing ? (
        <LineForm
          key={editing.mode === 'edit' ? editing.line.slug : 'new'}
          initial={editing.mode === 'edit' ? draftOf(editing.line) : emptyDraft()}
          creating={editing.mode === 'create'}
          serverProblems={serverProblems}
          saving={saving}
          onSave={(draft) => void save(draft)}
          onCancel={() => open(null)}
        />
      ) : (
        <LinesTable lines={lines} onEdit={(line) => open({ mode: 'edit', line })} />
      )}
    </section>
  );
}
