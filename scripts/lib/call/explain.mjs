// Explaining the call's outcome for `npm run call`: the caller's side (sipp's messages), the
// Worker's call record (decision, then the record after the call), what reached the UAS standing
// in for Zendesk, each in words.
import { existsSync, readFileSync } from 'node:fs';
import { parseMessageLog } from '../../../test/sip/harness/sipp.ts';
import { retry } from '@sip-bridge/edge/agent/retry';
import { answers, getJson, ports, UAS_LOG, workerUrl } from './bridge.mjs';

export const isFinal = (m) =>
  m.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d /.test(m.startLine);
const cseqOf = (m) => m.headers('CSeq')[0] ?? '';
const status = (m) => m.startLine.replace(/^SIP\/2\.0 /, '');

/** The caller's side, in words. */
export function callerOutcome(messages) {
  const invite = messages.find((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'));
  const final = messages.find((m) => isFinal(m) && cseqOf(m).endsWith('INVITE'));
  if (!invite) return { text: 'sipp sent no INVITE' };
  if (!final) return { text: 'no final answer to the INVITE (timed out)' };
  const after = `after ${final.at - invite.at} ms`;
  if (!final.startLine.startsWith('SIP/2.0 200')) return { text: `${status(final)} (${after})` };
  const bye = messages.find((m) => m.direction === 'sent' && m.startLine.startsWith('BYE'));
  const byeOk = messages.find((m) => isFinal(m) && cseqOf(m).endsWith('BYE'));
  const talked = bye ? `talked ${Math.round((bye.at - final.at) / 1000)} s` : 'no BYE sent';
  const hangup = byeOk ? `hung up, BYE answered ${status(byeOk)}` : 'BYE not answered';
  return { text: `${status(final)} (${after}), ${talked}, ${hangup}`, answered: true };
}

/** Every state of this call in the Worker's export since `since` (Unix s); the newest wins. */
async function callRecord(callId, since, adminToken) {
  let url = `${workerUrl}/v1/reports/calls/export?start_time=${since}`;
  let found;
  for (let page = 0; page < 20 && url; page++) {
    const body = await getJson(url, { Authorization: `Bearer ${adminToken}` });
    for (const call of body.calls) if (call.call_id === callId) found = call;
    url = body.end_of_stream ? null : body.after_url;
  }
  return found;
}

/** Polls the export until `done(record)` or the deadline; returns the last record seen. */
async function waitForRecord(callId, since, adminToken, done, timeoutMs) {
  let record;
  const look = async () => {
    // The Worker may be busy: a failed look just means another one.
    record = (await callRecord(callId, since, adminToken).catch(() => undefined)) ?? record;
    if (!record || !done(record)) throw new Error(`no final record for ${callId} yet`);
  };
  await retry(look, { delay: 300, withinMs: timeoutMs }).catch(() => {});
  return record;
}

/** Best-effort lookups in the Zendesk the Worker uses (the stand-in unless a real account is set). */
function zendeskLookup(vars) {
  const base = process.env.ZENDESK_SUBDOMAIN
    ? `https://${process.env.ZENDESK_SUBDOMAIN}.zendesk.com`
    : `http://127.0.0.1:${ports.standin}`;
  const email = process.env.ZENDESK_EMAIL ?? 'bridge@example.com';
  const auth = `Basic ${Buffer.from(`${email}/token:${vars.ZENDESK_API_TOKEN}`).toString('base64')}`;
  return async (path) => {
    try {
      return await getJson(`${base}/api/v2/${path}`, { Authorization: auth });
    } catch {
      return undefined;
    }
  };
}

const MATCH = {
  no_match: 'no Zendesk user has this number',
  withheld: 'the number is withheld, so nobody to look up',
  unavailable: 'Zendesk could not be asked in time (the call went on without a match)',
};
const LINK = {
  passed: 'the X-Zendesk-Ticket-Id the caller sent, verified open in Zendesk',
  passed_unverified: 'passed on unverified (Zendesk could not be asked in time)',
  created: 'a new ticket the bridge created for this call',
  dropped: 'the caller sent an id the bridge dropped (no such ticket, or closed)',
  none: 'no ticket linked',
};

async function describeDecision(record, zendesk) {
  const { caller, ticket, decision } = record;
  let match = MATCH[caller.match] ?? caller.match;
  if (caller.match === 'matched') {
    const user = (await zendesk(`users/${caller.user_id}.json`))?.user;
    match = `matched ${user?.name ?? 'user'} (Zendesk user ${caller.user_id})`;
  } else if (caller.match === 'ambiguous') {
    const names = caller.candidates.map((c) => `${c.name} (${c.id})`).join(', ');
    match = `ambiguous: ${caller.candidates.length} users share this number (${names}); the bridge never guesses, the agent picks in the sidebar`;
  }
  let link = LINK[ticket.link] ?? ticket.link;
  if (ticket.id !== null) {
    const subject = (await zendesk(`tickets/${ticket.id}.json`))?.ticket?.subject;
    link = `#${ticket.id}${subject ? ` "${subject}"` : ''}: ${link}`;
  }
  if (ticket.passed_id && !ticket.link.startsWith('passed') && ticket.link !== 'dropped')
    link += `; the X-Zendesk-Ticket-Id sent (${ticket.passed_id}) was not an open ticket`;
  else if (ticket.passed_id && ticket.link === 'dropped') link += ` (sent: ${ticket.passed_id})`;
  const action =
    decision.action === 'reject'
      ? `reject with ${decision.code} ${decision.reason ?? ''}`.trim()
      : decision.action;
  return [
    `  Action       ${action} (line "${record.line}", source ${record.source.ip}${record.source.acl_entry ? `, ACL ${record.source.acl_entry}` : ''})`,
    `  Caller       ${caller.e164 ?? `${caller.kind} (${record.sip.from})`}: ${match}`,
    `  Ticket       ${link}`,
    `  Degraded     ${decision.degraded.length ? decision.degraded.join(', ') : 'none (every step answered in time)'}`,
  ].join('\n');
}

/** What the UAS ("Zendesk's SIP-IN line") received for this Call-ID. */
async function reachedZendesk(callId) {
  const received = async () => {
    const log = existsSync(UAS_LOG) ? readFileSync(UAS_LOG, 'utf8') : '';
    const invite = log.includes(callId)
      ? parseMessageLog(log).find(
          (m) =>
            m.direction === 'received' &&
            m.startLine.startsWith('INVITE') &&
            m.headers('Call-ID')[0] === callId,
        )
      : undefined;
    if (invite) {
      const xHeaders = invite.text
        .split('\n\n')[0]
        .split('\n')
        .filter((l) => /^X-/i.test(l));
      const media = invite.body.split('\n').filter((l) => l.startsWith('m='));
      return [
        `  ${invite.startLine}`,
        `  X-Zendesk-Ticket-Id: ${invite.headers('X-Zendesk-Ticket-Id').join(', ') || '(none)'}`,
        ...xHeaders.filter((l) => !/^X-Zendesk-Ticket-Id:/i.test(l)).map((l) => `  ${l}`),
        ...media.map((l) => `  SDP ${l}`),
      ].join('\n');
    }
    throw new Error('not in the UAS log yet');
  };
  return retry(received, { delay: 200, attempts: 15 }).catch(
    () => '  nothing: the INVITE never reached the UAS',
  );
}

function describeRecord(record) {
  const parts = [record.status];
  if (record.duration_s !== null) parts.push(`talked ${record.duration_s} s (rounded up)`);
  if (record.final.ended_by) parts.push(`ended by the ${record.final.ended_by}`);
  if (record.status !== 'completed' && record.final.code)
    parts.push(`SIP ${record.final.code} ${record.final.reason ?? ''}`.trimEnd());
  const cost = record.cost.usd === null ? 'no cost' : `cost $${record.cost.usd}`;
  const summary =
    record.summary_status === 'posted'
      ? `summary posted to ticket #${record.ticket.id} as a private note`
      : `summary ${record.summary_status}`;
  return `  ${parts.join(', ')}; ${cost}; ${summary}`;
}

/**
 * Prints what the bridge made of the call, after the caller's side: the Worker's decision, what
 * reached "Zendesk", the call record once the call is over, and the sidebar page for its ticket.
 * `outcome` is callerOutcome()'s, `since` the Unix time to read the export from.
 */
export async function explainCall({ callId, since, outcome, vars }) {
  const terminal = (r) =>
    !['ringing', 'answered'].includes(r.status) &&
    !['pending', 'posting'].includes(r.summary_status);
  const record = await waitForRecord(
    callId,
    since,
    vars.ADMIN_TOKEN,
    outcome.answered ? terminal : () => true,
    outcome.answered ? 10_000 : 3_000,
  );
  const zendesk = zendeskLookup(vars);
  console.log('\nThe decision (Worker call record)');
  if (record) console.log(await describeDecision(record, zendesk));
  else
    console.log(
      outcome.text.startsWith('403')
        ? "  none: Kamailio refused the source address itself (not in any line's allowlist), before asking the agent or the Worker"
        : '  no call record for this Call-ID (yet)',
    );

  console.log('\nWhat reached "Zendesk" (the sipp UAS, .run/uas-messages.log)');
  console.log(
    outcome.answered || record?.decision.action === 'relay'
      ? await reachedZendesk(callId)
      : '  nothing: the call was not relayed',
  );

  if (record) {
    console.log('\nThe call record after the call');
    console.log(describeRecord(record));
    if (record.ticket.id !== null) {
      const page = `http://127.0.0.1:${ports.harness}/?ticket=${record.ticket.id}`;
      const up = await answers(`http://127.0.0.1:${ports.harness}/`);
      console.log(
        `\nSee it in the sidebar: ${page}${up ? '' : '  (the harness page is not running)'}`,
      );
    }
  }
}
