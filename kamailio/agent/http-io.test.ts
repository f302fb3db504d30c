import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonBody } from './http-io';
import { CallFactsSchema, describeIssues } from './schemas';
import { callFacts } from './testing/fixtures';

const CANARY = 'canary5ecret9f2e7b';

const request = (body: string) =>
  Object.assign(Readable.from([Buffer.from(body)]), { headers: {} }) as unknown as IncomingMessage;

describe('agent error messages echo nothing of the body', () => {
  it('readJsonBody: a body that is not JSON is refused without quoting it', async () => {
    const result = await readJsonBody(request(`{"call_id": ${CANARY}`), 1024);
    expect(result).toMatchObject({ ok: false, status: 400, error: 'invalid_json' });
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it('describeIssues: names the path of a bad value, never the value', () => {
    const parsed = CallFactsSchema.safeParse({ ...callFacts(), ticket_id: CANARY });
    expect(parsed.success).toBe(false);
    const text = describeIssues(parsed.error!);
    expect(text).toBe('ticket_id: must be 1-19 digits');
  });

  it('describeIssues: counts unknown keys instead of naming them', () => {
    const parsed = z.strictObject({ a: z.string() }).safeParse({ a: 'x', [CANARY]: 1 });
    const text = describeIssues(parsed.error!);
    expect(text).toBe('(body): has 1 unknown field');
    expect(text).not.toContain(CANARY);
  });
});
