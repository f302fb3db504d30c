// Zendesk-shaped responses and the small input checks every handler shares.
import { json } from 'itty-router';

interface FieldError {
  description: string;
  error?: string;
}

/** `details` of a 422: one array per field, as most captured Zendesk bodies have it. */
type FieldErrors = Record<string, FieldError[]>;

export const RATE_LIMIT = 700;

export function notFound(): Response {
  return json({ error: 'RecordNotFound', description: 'Not found' }, { status: 404 });
}

export function invalidEndpoint(): Response {
  return json({ error: 'InvalidEndpoint', description: 'Not found' }, { status: 404 });
}

export function unauthorized(): Response {
  return json({ error: "Couldn't authenticate you" }, { status: 401 });
}

/**
 * UNCONFIRMED body (the fact sheet confirms only the meaning of 403): authenticated, but this user
 * may not see the record, e.g. a restricted agent asking for another group's ticket.
 */
export function forbidden(): Response {
  return json(
    {
      error: 'Forbidden',
      description:
        'You do not have access to this page. Please contact the account owner of this help desk for further help.',
    },
    { status: 403 },
  );
}

export function recordInvalid(details: FieldErrors): Response {
  return json(
    { error: 'RecordInvalid', description: 'Record validation errors', details },
    { status: 422 },
  );
}

/**
 * A `safe_update` whose `updated_stamp` is not the ticket's `updated_at`: 409 is documented for
 * Update Ticket; the body is UNCONFIRMED (the wording commonly reported for it).
 */
export function updateConflict(): Response {
  return json(
    {
      error: 'UpdateConflict',
      description:
        'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
    },
    { status: 409 },
  );
}

/** UNCONFIRMED body: what Zendesk sends when the wrapping object (`ticket`, `user`) is absent. */
export function parameterMissing(name: string): Response {
  return json(
    { error: 'ParameterMissing', description: `Required parameter missing: ${name}` },
    { status: 400 },
  );
}

/** UNCONFIRMED body: the request body was not parseable JSON. */
export function unprocessableJson(reason: string): Response {
  return json(
    { error: 'Unprocessable JSON', description: `The request body is not valid JSON: ${reason}` },
    { status: 400 },
  );
}

/** The plain-text 429 captured from Zendesk (wording UNCONFIRMED, size matches 50 bytes). */
export function rateLimited(retryAfterSeconds: number): Response {
  return new Response('Number of allowed API requests per minute exceeded', {
    status: 429,
    headers: {
      'Content-Type': 'text/plain',
      'Retry-After': String(retryAfterSeconds),
      'X-Rate-Limit': String(RATE_LIMIT),
      'X-Rate-Limit-Remaining': '0',
    },
  });
}

/** UNCONFIRMED bodies: 500 as a JSON envelope, 502/503 as the plain text a proxy would send. */
export function serverError(status: 500 | 502 | 503): Response {
  if (status === 500) {
    return json(
      { error: 'InternalServerError', description: 'Injected by the stand-in' },
      { status },
    );
  }
  const text = status === 502 ? 'Bad Gateway' : 'Service Unavailable';
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain' } });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Collects field errors so a handler can report every problem at once, like Zendesk does. */
export class FieldErrorList {
  readonly details: FieldErrors = {};

  add(field: string, description: string, error = 'InvalidValue'): void {
    (this.details[field] ??= []).push({ description, error });
  }

  get empty(): boolean {
    return Object.keys(this.details).length === 0;
  }
}
