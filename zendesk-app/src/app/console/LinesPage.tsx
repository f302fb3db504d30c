import { useCallback, useEffect, useState } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { XL } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import {
  addAclEntry,
  ConsoleError,
  createLine,
  listLines,
  patchLine,
  removeAclEntry,
  showLine,
  type ConsoleTarget,
  type Line,
} from './consoleApi';
import { BlockedCallers } from './BlockedCallers';
import { RoutingRulesPart } from './RoutingRulesPart';
import { WebhookPart } from './WebhookPart';
import { EDGE_POLL } from './edgePoll';
import { EdgeStatus } from './EdgeStatus';
import { issueProblem } from './issueProblem';
import { LineForm } from './LineForm';
import { LinesTable } from './LinesTable';
import { useFailureText } from './useFailureText';
import {
  aclChanges,
  createBody,
  draftOf,
  emptyDraft,
  issuesByField,
  patchBody,
  type FieldProblems,
  type LineDraft,
} from './lineForm';

type Editing =
  | { mode: 'create' }
  /** `draft`: what the form shows when it is not the line as saved (after a partial save). */
  | { mode: 'edit'; line: Line; draft?: LineDraft; attempt?: number }
  | null;

/** The Worker's refusal of a save, by field; a slug conflict belongs to the slug. */
function refusalProblems(e: unknown): FieldProblems | null {
  if (!(e instanceof ConsoleError)) return null;
  if (e.code === 'conflict') return { slug: { key: 'console.form.errors.slug_taken' } };
  if (e.issues.length) return issuesByField(e.issues);
  return null;
}

/** A refused new ACL entry's problems on its row (`cidr` → `acl[2].cidr`), or null for other failures. */
function entryProblems(e: unknown, index: number): FieldProblems | null {
  if (!(e instanceof ConsoleError)) return null;
  const at = (field: string) => `acl[${index}].${field}`;
  if (e.code === 'conflict') return { [at('cidr')]: { key: 'console.acl.errors.duplicate' } };
  if (!e.issues.length) return null;
  const own: FieldProblems = {};
  for (const issue of e.issues) {
    const field = ['label', 'confirm_wide'].includes(issue.path) ? issue.path : 'cidr';
    // Worded as on the row (`acl[2].cidr`), from the issue's kind.
    own[at(field)] ??= issueProblem({ ...issue, path: at(field) }, at(field));
  }
  return own;
}

/**
 * Saves an edited line: its fields, then the ACL entries removed, then those added, one by one.
 * Answers the line as it now stands, and the new rows the Worker refused with their problems
 * (by their index in the draft), so the admin sees what was saved and what was not.
 */
async function saveEdited(target: ConsoleTarget, before: Line, draft: LineDraft) {
  await patchLine(target, before.slug, patchBody(draft));
  const { removed, added } = aclChanges(before, draft);
  for (const id of removed) await removeAclEntry(target, before.slug, id);
  const refused: { index: number; problems: FieldProblems }[] = [];
  for (const { index, body } of added) {
    try {
      await addAclEntry(target, before.slug, body);
    } catch (e) {
      const own = entryProblems(e, index);
      if (!own) throw e;
      refused.push({ index, problems: own });
    }
  }
  return { line: await showLine(target, before.slug), refused };
}

/** "Saved …" with the line's state at the edge, which changes as the page learns it. */
function SavedNotice({
  saved,
  line,
}: {
  saved: { name: string; watching: boolean };
  line: Line | undefined;
}) {
  const { t } = useI18n();
  const gaveUp = !saved.watching && line?.edge?.state === 'waiting';
  return (
    <Alert type="success" role="status">
      {/* A div, not Alert.Paragraph (a p): Garden's Tag is a div. */}
      <div className="console-saved">
        <span>{t('console.lines.saved', { name: saved.name })}</span>{' '}
        <EdgeStatus edge={line?.edge} />
      </div>
      {gaveUp ? <Alert.Paragraph>{t('console.edge.still_waiting')}</Alert.Paragraph> : null}
    </Alert>
  );
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
  /** The line last saved: its name, and whether the page still waits for the edge to apply it. */
  const [saved, setSaved] = useState<{ slug: string; name: string; watching: boolean } | null>(
    null,
  );

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

  // After a save, the lines are asked for again (bounded) until the edge has applied the line.
  const watching = saved?.watching ? saved.slug : null;
  useEffect(() => {
    if (!watching) return;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout>;
    const stop = () => setSaved((s) => (s?.slug === watching ? { ...s, watching: false } : s));
    const tick = () => {
      tries += 1;
      listLines(target).then((found) => {
        setLines(found);
        const line = found.find((l) => l.slug === watching);
        if (!line || line.edge?.state !== 'waiting' || tries >= EDGE_POLL.tries) stop();
        else timer = setTimeout(tick, EDGE_POLL.intervalMs);
      }, stop);
    };
    timer = setTimeout(tick, EDGE_POLL.intervalMs);
    return () => clearTimeout(timer);
  }, [watching, target]);

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
      let line: Line;
      if (editing.mode === 'create') line = await createLine(target, createBody(draft));
      else {
        const saved = await saveEdited(target, editing.line, draft);
        line = saved.line;
        if (saved.refused.length) {
          // What was saved shows as saved; the refused rows stay below it, with their errors.
          const kept = draftOf(line);
          const problems: FieldProblems = {};
          const rows = saved.refused.map(({ index, problems: own }, n) => {
            const at = kept.acl.length + n;
            for (const [field, problem] of Object.entries(own))
              problems[field.replace(`acl[${index}]`, `acl[${at}]`)] = problem;
            return draft.acl[index]!;
          });
          // The line's own fields were saved: the form restarts from the line as saved (so no
          // secret typed stays in the page), with the refused rows below the kept ones.
          setEditing({
            mode: 'edit',
            line,
            draft: { ...kept, acl: [...kept.acl, ...rows] },
            attempt: (editing.attempt ?? 0) + 1,
          });
          setServerProblems(problems);
          load();
          return;
        }
      }
      setEditing(null);
      setSaved({ slug: line.slug, name: line.name, watching: line.edge?.state === 'waiting' });
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
      {saved ? <SavedNotice saved={saved} line={lines.find((l) => l.slug === saved.slug)} /> : null}
      {saveError ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{saveError}</Alert.Paragraph>
        </Alert>
      ) : null}
      {editing ? (
        <LineForm
          key={editing.mode === 'edit' ? `${editing.line.slug}:${editing.attempt ?? 0}` : 'new'}
          initial={
            editing.mode === 'edit' ? (editing.draft ?? draftOf(editing.line)) : emptyDraft()
          }
          creating={editing.mode === 'create'}
          serverProblems={serverProblems}
          saving={saving}
          onSave={(draft) => void save(draft)}
          onCancel={() => open(null)}
        />
      ) : null}
      {editing?.mode === 'edit' ? (
        <>
          <BlockedCallers target={target} slug={editing.line.slug} onChanged={load} />
          <RoutingRulesPart
            target={target}
            slug={editing.line.slug}
            media={editing.line.media}
            onChanged={load}
          />
          <WebhookPart
            target={target}
            slug={editing.line.slug}
            webhook={editing.line.webhook ?? null}
            onChanged={load}
          />
        </>
      ) : null}
      {editing ? null : (
        <LinesTable lines={lines} onEdit={(line) => open({ mode: 'edit', line })} />
      )}
    </section>
  );
}
