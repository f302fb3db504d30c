/** One log line: a level, a short dotted event name, and a few key=value fields. */
export type Logger = (
  level: 'info' | 'warn' | 'error',
  event: string,
  fields?: Record<string, string | number | boolean | null | undefined>,
) => void;

/** Fields are quoted only when needed, so lines stay greppable and short. */
function formatValue(value: string | number | boolean | null): string {
  const text = String(value);
  return /^[\x21-\x7e]+$/.test(text) && !text.includes('"') ? text : JSON.stringify(text);
}

/**
 * The agent's logger: one line per notable event on stderr, never secrets.
 * @example
 * const log = createLogger();
 * log('warn', 'decide.fail_open', { call_id: 'abc', reason: 'timeout' });
 */
export function createLogger(
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  return (level, event, fields = {}) => {
    const parts = [new Date().toISOString(), level, event];
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
    }
    write(`${parts.join(' ')}\n`);
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = () => {};
