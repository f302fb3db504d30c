import { Field } from '@zendeskgarden/react-forms';
import { useI18n } from '../hooks/useI18n';
import type { FieldProblem } from './lineForm';

/**
 * A field's problem in the admin's words: its key, or its fallback when the key has no words
 * (the translator answers a key it does not know with the key itself).
 */
export function useProblemText() {
  const { t } = useI18n();
  return (problem: FieldProblem) => {
    const text = t(problem.key, problem.vars);
    return text === problem.key && problem.fallback ? t(problem.fallback, problem.vars) : text;
  };
}

/** The error under a field (Garden's error message), or nothing. */
export function FieldError({ problem }: { problem: FieldProblem | undefined }) {
  const text = useProblemText();
  return problem ? <Field.Message validation="error">{text(problem)}</Field.Message> : null;
}
