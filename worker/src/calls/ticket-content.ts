import type { LineConfig } from '../lines/store';
import { displayNumber } from '../phone/display';
import type { CallFacts } from '@sip-bridge/contract/edge';
import type { CallerMatch } from './match-caller';

/** The caller match in words, for ticket notes (`matched user #20001`, `ambiguous, 2 users …`). */
export function describeCallerMatch(match: CallerMatch | null, withheld: boolean): string {
  if (withheld) return 'caller withheld their number';
  if (!match) return 'not checked (Zendesk did not answer in time)';
  if (match.result === 'matched') return `matched user #${match.userId}`;
  if (match.result === 'no_match') return 'no Zendesk user has this number';
  return `ambiguous, ${match.candidates.length} users share this number: ${match.candidates
    .map((c) => `#${c.id} ${c.name}`)
    .join(', ')}`;
}

/** The tags on every ticket the bridge writes: `sip_bridge`, `sip_line_<slug>`, `sip_caller_<match>`. */
export function bridgeTags(line: Pick<LineConfig, 'slug'>, caller: string): string[] {
  return ['sip_bridge', `sip_line_${line.slug.replaceAll('-', '_')}`, `sip_caller_${caller}`];
}

/** The ticket the bridge creates for a call that came without a valid ticket. */
export function callTicket(p: {
  line: LineConfig;
  facts: CallFacts;
  callerE164: string | null;
  match: CallerMatch | null;
  withheld: boolean;
}) {
  const caller = displayNumber(p.callerE164) ?? 'an unknown caller';
  const body = [
    `Inbound SIP call on line "${p.line.name}" (${p.line.slug}) from ${caller}.`,
    '',
    `Caller match: ${describeCallerMatch(p.match, p.withheld)}`,
    `From: ${p.facts.sip.from}`,
    `To: ${p.facts.sip.to}`,
    `Request-URI: ${p.facts.sip.request_uri}`,
    ...(p.facts.sip.p_asserted_identity
      ? [`P-Asserted-Identity: ${p.facts.sip.p_asserted_identity}`]
      : []),
    `Source: ${p.facts.source.ip}${p.facts.acl_entry ? ` (ACL ${p.facts.acl_entry})` : ''}${
      p.facts.source.transport ? ` over ${p.facts.source.transport.toUpperCase()}` : ''
    }`,
    `Codecs offered: ${p.facts.codecs.length ? p.facts.codecs.join(', ') : 'none listed'}`,
    ...(p.facts.sip.user_agent ? [`User agent: ${p.facts.sip.user_agent}`] : []),
    `Call-ID: ${p.facts.call_id}`,
  ].join('\n');
  return {
    subject: `Phone call from ${caller}`,
    comment: { body, public: false },
    tags: bridgeTags(p.line, p.withheld ? 'withheld' : (p.match?.result ?? 'unchecked')),
    // Zendesk's SIP-IN guide asks for "phone call inbound" tickets (via_id 34).
    via_id: 34,
  };
}
