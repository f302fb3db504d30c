import { z } from 'zod';
import {
  CallEventSchema,
  CallFactsSchema as ProtocolCallFactsSchema,
  ContextHeaderSchema,
  DecisionSchema,
  EventResultSchema,
  SIP_CONTEXT_LIMITS,
  SIP_FACT_LIMITS,
} from '@sip-bridge/contract/edge';
import { IsoTimeSchema } from '@sip-bridge/contract/identifiers';
import { fieldIssues } from '@sip-bridge/contract/issues';

// The rules are the edge protocol's (@sip-bridge/contract/edge), the very schemas the Worker
// checks with, so an event the agent accepts is one the Worker accepts (it would otherwise sit in
// the spool forever). What is the agent's own: reading Kamailio's spelling of the facts before
// they are checked, making SIP facts safe, and writing absent values as null in the spool.

/** Kamailio sends "" for an absent value (its pseudo-variables have no null). */
const absent = (v: unknown) => (v === '' || v === null ? undefined : v);
/** Kamailio has no port 0 and no SIP status 0: it means absent. */
const absentNumber = (v: unknown) => (v === 0 ? undefined : absent(v));
/** Absent as the agent writes it in its spool, for the facts the protocol lets be null. */
const orNull = (v: unknown) => absent(v) ?? null;

/** `raw` with each named field passed through its fix (undefined removes it); a non-object as is. */
function reshape(raw: unknown, fixes: Record<string, (v: unknown) => unknown>): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const [key, fix] of Object.entries(fixes)) {
    const value = fix(out[key]);
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

/**
 * Makes Kamailio's SIP facts safe to decide on, so that no header content a caller controls can
 * get a call relayed without a decision: a header that was not UTF-8 arrives as `<name>_hex` and
 * is decoded (invalid bytes become U+FFFD); folded lines and control characters become spaces;
 * anything longer than the limit is cut. Each change is listed in `sanitized` as `name:how`.
 * @example safeSipFacts({ from_hex: '4dfc6c6c6572' }).from // 'M\uFFFDller'
 */
function safeSipFacts(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const input = raw as Record<string, unknown>;
  const marks = new Set(
    Array.isArray(input.sanitized) ? input.sanitized.filter((m) => typeof m === 'string') : [],
  );
  const out: Record<string, unknown> = {};
  for (const [name, max] of Object.entries(SIP_FACT_LIMITS)) {
    let value = input[name];
    const hex = input[`${name}_hex`];
    if ((value === undefined || value === null) && typeof hex === 'string') {
      value = /^(?:[0-9a-fA-F]{2})*$/.test(hex)
        ? new TextDecoder('utf-8').decode(Buffer.from(hex, 'hex'))
        : undefined;
      marks.add(`${name}:escaped`);
    }
    if (typeof value === 'string') {
      // RFC 3261 header folding (CRLF + whitespace) is whitespace; other controls are never data.
      // eslint-disable-next-line no-control-regex
      const flat = value.replace(/\r?\n[ \t]*|[\x00-\x08\x0a-\x1f\x7f]+/g, ' ');
      if (flat !== value) marks.add(`${name}:escaped`);
      value = flat.length > max ? flat.slice(0, max) : flat;
      if (flat.length > max) marks.add(`${name}:truncated`);
    }
    out[name] = value;
  }
  // Context headers: Kamailio already keeps only valid ones; any other is left out here too,
  // so what a caller sends as context can never get the call refused.
  if (Array.isArray(input.context)) {
    const kept = input.context.filter((h) => ContextHeaderSchema.safeParse(h).success);
    if (kept.length < input.context.length) marks.add('context:dropped');
    if (kept.length > 0) out.context = kept.slice(0, SIP_CONTEXT_LIMITS.headers);
  }
  if (marks.size > 0) out.sanitized = [...marks].slice(0, 10);
  return out;
}

/** Kamailio's call facts in the protocol's spelling, so the protocol's schema can judge them. */
const fromKamailio = (raw: unknown) =>
  reshape(raw, {
    source: (v) => reshape(v, { port: absentNumber, transport: absent }),
    acl_entry: orNull,
    sip: (v) => reshape(safeSipFacts(v), { p_asserted_identity: orNull, user_agent: orNull }),
    ticket_id: orNull,
    // An array as documented; a comma-separated string is accepted too (simpler to build in a cfg).
    codecs: (v) => (typeof v === 'string' ? v.split(',').filter((c) => c !== '') : absent(v)),
    received_at: absent,
  });

/**
 * The facts of one INVITE as Kamailio reports them to /v1/decide (and inside each event). The
 * nullable facts are null when absent (fromKamailio), which the last step tells the type.
 */
export const CallFactsSchema = z
  .preprocess(fromKamailio, ProtocolCallFactsSchema)
  .transform((facts) => ({
    ...facts,
    acl_entry: facts.acl_entry ?? null,
    ticket_id: facts.ticket_id ?? null,
    sip: {
      ...facts.sip,
      p_asserted_identity: facts.sip.p_asserted_identity ?? null,
      user_agent: facts.sip.user_agent ?? null,
    },
  }));

/** One lifecycle event from Kamailio; `at` is stamped by the agent when absent. */
export const KamailioEventSchema = z.preprocess(
  (raw) =>
    reshape(raw, {
      at: absent,
      sip_code: absentNumber,
      reason: absent,
      ended_by: absent,
      cause: absent,
      call: absent,
    }),
  CallEventSchema.extend({ at: IsoTimeSchema.optional(), call: CallFactsSchema.optional() }),
);

export type CallFacts = z.infer<typeof CallFactsSchema>;
type KamailioEvent = z.infer<typeof KamailioEventSchema>;
/** An event as spooled and sent to the Worker: `at` is always set. */
export type CallEvent = KamailioEvent & { at: string };

/** The Worker's answer to POST /v1/edge/decisions, as far as the agent relies on it. */
export const WorkerDecisionSchema = DecisionSchema.pick({
  action: true,
  code: true,
  reason: true,
  headers: true,
  caller_user: true,
  route_rule: true,
});

/** The Worker's answer to POST /v1/edge/events: one result per event, in order. */
export const WorkerEventResultsSchema = EventResultSchema;

/** `a.b[2].c: message` lines a person can find in their JSON, echoing none of its keys or values. */
export function describeIssues(error: z.ZodError): string {
  return fieldIssues(error.issues)
    .slice(0, 5)
    .map((i) => `${i.path || '(body)'}: ${i.message}`)
    .join('; ');
}
