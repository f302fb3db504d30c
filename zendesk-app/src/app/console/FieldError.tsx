import { Field } from '@zendeskgarden/react-forms';
import { useI18n } from '../hooks/useI18n';
import type { FieldProblem } from './lineForm';

/** A field's problem in words: translated when the form found it, the Worker's own otherwise. */
export function useProblemText() {
  const { t } = useI18n();
  return (problem: FieldProblem) =>
    'text' in problem ? problem.text : t(problem.key, problem.vars);
}

/** The error under a field (Garden's error message), or nothing. */
export function FieldError({ problem }: { problem: FieldProblem | undefined }) {
  const text = useProblemText();
  return problem ? <Field.Message validation="error">{text(problem)}</Field.Message> : null;
}
