// What went wrong with a console request, in words the admin can act on (never what they typed):
// the Worker's known codes have their own sentence under `console.errors`, anything else its status.
import { useI18n } from '../hooks/useI18n';
import { ConsoleError } from './consoleApi';

const KNOWN_ERRORS = new Set([
  'admin_required',
  'sign_in_required',
  'unauthorized',
  'unreachable',
  'not_configured',
]);

/** What went wrong, in words the admin can act on (never the values they typed). */
export function useFailureText() {
  const { t } = useI18n();
  return (e: unknown) => {
    const failure = e instanceof ConsoleError ? e : new ConsoleError(0, 'unreachable');
    return KNOWN_ERRORS.has(failure.code)
      ? t(`console.errors.${failure.code}`)
      : t('console.errors.other', { status: failure.status });
  };
}
