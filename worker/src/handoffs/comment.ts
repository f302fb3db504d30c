// The private note a handoff writes on its ticket: who handed over, the caller, the summary and the
// transcript, as simple HTML with every value escaped.
import type { TranscriptTurn } from '@sip-bridge/contract/handoff';
import type { LineConfig } from '../lines/store';
import { displayNumber } from '../phone/display';

const SPEAKERS: Record<TranscriptTurn['role'], string> = {
  caller: 'Caller',
  agent: 'AI agent',
  system: 'System',
};

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text: `& < > " '` escaped, line breaks as `<br>`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!).replace(/\r\n?|\n/g, '<br>');
}

/** `09:30:05` (UTC) from an ISO time, or null without one. */
function clockTime(at: string | null): string | null {
  if (!at) return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(11, 19);
}

export interface HandoffNote {
  handoffId: string;
  line: Pick<LineConfig, 'slug' | 'name'>;
  keyLabel: string;
  callerE164: string;
  caller: {
    name?: string | undefined;
    email?: string | undefined;
    external_id?: string | undefined;
  };
  /** The caller match and requester in words (`matched user #20001`). */
  matchText: string;
  summary: string | null;
  intent: string | null;
  language: string | null;
  transcript: TranscriptTurn[];
}

/**
 * The handoff as one private note, readable by an agent at a glance.
 * @example handoffCommentHtml({ ..., transcript: [{ role: 'caller', text: 'Hi <b>', at: null }] })
 * // … <li><strong>Caller:</strong> Hi &lt;b&gt;</li> …
 */
export function handoffCommentHtml(p: HandoffNote): string {
  const e = escapeHtml;
  const who = [
    displayNumber(p.callerE164) ?? p.callerE164,
    p.caller.name,
    p.caller.email,
    p.caller.external_id ? `external id ${p.caller.external_id}` : undefined,
  ].filter((part): part is string => Boolean(part));
  const parts = [
    `<p><strong>Handoff from an AI agent</strong> (${e(p.keyLabel)}) on line "${e(p.line.name)}" (${e(p.line.slug)})</p>`,
    `<p><strong>Caller:</strong> ${who.map(e).join(' · ')}<br><strong>Caller match:</strong> ${e(p.matchText)}</p>`,
  ];
  const facts = [
    p.intent ? `<strong>Intent:</strong> ${e(p.intent)}` : null,
    p.language ? `<strong>Language:</strong> ${e(p.language)}` : null,
  ].filter(Boolean);
  if (facts.length) parts.push(`<p>${facts.join('<br>')}</p>`);
  if (p.summary) parts.push(`<p><strong>Summary</strong><br>${e(p.summary)}</p>`);
  if (p.transcript.length) {
    const timed = p.transcript.some((t) => clockTime(t.at) !== null);
    const turns = p.transcript.map((t) => {
      const time = clockTime(t.at);
      const stamp = time ? `[${time}] ` : '';
      return `<li><strong>${stamp}${SPEAKERS[t.role]}:</strong> ${e(t.text)}</li>`;
    });
    parts.push(
      `<p><strong>Transcript</strong>${timed ? ' (times in UTC)' : ''}</p>`,
      `<ul>${turns.join('')}</ul>`,
    );
  }
  parts.push(`<p>Handoff ${e(p.handoffId)} through the SIP bridge.</p>`);
  return parts.join('\n');
}
