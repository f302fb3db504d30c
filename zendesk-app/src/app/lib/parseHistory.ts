import callerHistorySchema from 'virtual:caller-history-schema';
import { schemaIssue } from './jsonSchema';
import type { CallerHistory } from './types';

/**
 * Checks `GET /v1/tickets/{id}/calls/{call_id}/history` against the Worker's schema before
 * rendering it. Returns undefined, and says where in the console, when it is not what the bridge
 * sends.
 */
export function parseCallerHistory(body: unknown): CallerHistory | undefined {
  const issue = schemaIssue(callerHistorySchema, body);
  if (issue === undefined) return body as CallerHistory;
  console.warn(`The bridge's answer is not a caller history: ${issue}`);
  return undefined;
}
