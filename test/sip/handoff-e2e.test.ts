import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS, GRACE_HOPPER_AGENT_ID } from '@sip-bridge/zendesk-standin/seed';
import { ensureAppBuilt } from '../../scripts/lib/local-app.mjs';
import { startHarness, type Harness } from '../../scripts/lib/harness-page/server';
import { chromiumMissing, launchChromium } from '../app/chromium';
import { agentInstallation, openSidebar, WAIT } from '../app/sidebar-page';
import { callIdOf, recordSettled, startFullStack, type FullStack } from './harness/full-stack';
import { received } from './harness/sipp';
import { explain } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// An AI voice agent hands a call to a human through the whole stack, nothing faked but Zendesk:
// a line key from the admin API, POST /v1/handoffs (retried with its Idempotency-Key), the call
// dialled with the answered header through Kamailio and the edge agent, its record linked to the
// handoff without Zendesk being asked about the ticket, and the sidebar in Chromium showing the
// agent what the AI agent handed over; context headers the line maps reach the ticket, never
// Zendesk's SIP side. Bad handoffs are refused and write nothing.
const BASE = PORT_BLOCKS.handoffE2e;
const LINE = 'demo';
const LABEL = 'Acme Voice AI (e2e)';
const ROOT = new URL('../..', import.meta.url).pathname;
const noBrowser = chromiumMissing();

const SUMMARY =
  'Router X2 reboots every few minutes since firmware 4.2; a factory reset did not help.';
const TRANSCRIPT = [
  {
    role: 'agent',
    text: 'Hello, this is Acme support. How can I help?',
    at: '2026-11-21T09:30:01.000Z',
  },
  { role: 'caller', text: 'My router keeps rebooting.', at: '2026-11-21T09:30:05.000Z' },
  { role: 'agent', text: 'Did a factory reset help?', at: '2026-11-21T09:30:12.000Z' },
  { role: 'caller', text: 'No, it still reboots.' },
  { role: 'system', text: 'Transferring to a person.' },
] as const;
const HANDOFF = {
  caller: { phone: '(415) 555-0100', name: 'Ada Lovelace' },
  summary: SUMMARY,
  intent: 'technical_support',
  language: 'en-US',
  transcript: TRANSCRIPT,
};
/** How the sidebar names each speaker (translations/en.json, ui.handoff.role). */
const SPEAKER = { caller: 'Caller', agent: 'AI agent', system: 'System' } as const;

/** The fields of POST /v1/handoffs' answer the test reads (worker/src/schemas/handoffs.ts). */
interface HandoffAnswer {
  handoff_id: string;
  ticket_id: number;
  header: string;
  sip_uri: string | null;
  expires_at: string;
  created_at: string;
}

interface Problem {
  error: string;
  message: string;
  issues?: { path: string; message: string }[];
}

describe.skipIf(!sipToolsAvailable())('AI-agent handoff through the whole stack', () => {
  let s: FullStack;
  let key: string;
  let made: HandoffAnswer;
  let callId: string;
  let harness: Harness | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  /** POST /v1/handoffs as the AI vendor sends it. */
  async function handoff(secret: string, body: unknown, idempotencyKey?: string) {
    const res = await fetch(`${s.workerUrl}/v1/handoffs`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${secret}`,
        'Content-Type': 'application/json',
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  }

  async function createKey(label: string) {
    const res = await s.admin<{ key: { id: string; line: string; label: string }; secret: string }>(
      'POST',
      `/v1/admin/lines/${LINE}/api-keys`,
      { label },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.key).toMatchObject({ line: LINE, label, revoked_at: null });
    // Shown this once: `sbk_<id>_<secret>`, the id being what the admin lists and revokes.
    expect(res.body.secret).toMatch(new RegExp(`^sbk_${res.body.key.id}_[\\w-]{40,}$`));
    return res.body;
  }

  const ticketIds = async () =>
    (await s.zendeskState()).tickets.map((t) => t.id).sort((a, b) => a - b);
  /** The stand-in's request log from `from` on, as `METHOD /path` without `.json`. */
  const requestsSince = async (from: number) =>
    (await s.zendeskRequests())
      .slice(from)
      .map((r) => `${r.method} ${r.path.replace(/\.json$/, '')}`);

  beforeAll(async () => {
    // Built before wrangler dev starts, and only when stale (suites share zendesk-app/dist).
    if (!noBrowser && !ensureAppBuilt())
      throw new Error('the sidebar app did not build (see above)');
    s = await startFullStack(BASE, [
      {
        slug: LINE,
        acl: ['127.0.0.1/32'],
        settings: { edge_sip_uri: `sip:${LINE}@127.0.0.1:${BASE}` },
      },
    ]);
    await s.warmUp(LINE);
    key = (await createKey(LABEL)).secret;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await s?.stop();
  }, 30_000);

  it('prepares the ticket and answers the header to dial with', async () => {
    const before = await ticketIds();
    const res = await handoff(key, HANDOFF, 'e2e-handoff-1');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    made = res.body as HandoffAnswer;
    expect(made).toMatchObject({
      line: LINE,
      ticket: 'created',
      sip_uri: `sip:${LINE}@127.0.0.1:${BASE}`,
      caller: { e164: '+14155550100', match: 'matched', user_id: 20001, requester: 'matched' },
    });
    expect(made.handoff_id).toMatch(/^ho_[0-9a-f]{24}$/);
    expect(made.header).toBe(`X-Zendesk-Ticket-Id: ${made.ticket_id}`);
    // Linkable for 10 minutes from the answer (ai-agents.md).
    expect(Date.parse(made.expires_at) - Date.parse(made.created_at)).toBe(10 * 60_000);
    expect(Date.parse(made.expires_at)).toBeGreaterThan(Date.now());

    // Zendesk holds the new ticket with the handoff as one private note.
    expect(before).not.toContain(made.ticket_id);
    const state = await s.zendeskState();
    const ticket = state.tickets.find((t) => t.id === made.ticket_id);
    expect(ticket).toMatchObject({ requester_id: 20001 });
    expect(ticket!.tags).toEqual(expect.arrayContaining(['sip_bridge', 'sip_handoff']));
    const notes = state.comments[String(made.ticket_id)] ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ public: false });
    for (const text of [LABEL, SUMMARY, 'My router keeps rebooting.'])
      expect(notes[0]!.body).toContain(text);
  }, 30_000);

  it('answers a retry with the same Idempotency-Key again, writing nothing', async () => {
    expect(made, 'the handoff above').toBeDefined();
    const tickets = await ticketIds();
    const from = (await s.zendeskRequests()).length;
    const again = await handoff(key, HANDOFF, 'e2e-handoff-1');
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body).toEqual(made);
    // Still exactly one ticket for the handoff, and no second note.
    expect(await ticketIds()).toEqual(tickets);
    const state = await s.zendeskState();
    expect(state.tickets.filter((t) => t.tags.includes('sip_handoff'))).toHaveLength(1);
    expect(state.comments[String(made.ticket_id)]).toHaveLength(1);
    expect((await requestsSince(from)).filter((r) => !r.startsWith('GET '))).toEqual([]);
  }, 30_000);

  it('links the call dialled with the header to the handoff, without looking the ticket up', async () => {
    expect(made, 'the handoff above').toBeDefined();
    const from = (await s.zendeskRequests()).length;
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', {
      RURI: made.sip_uri!,
      HEADERS: made.header,
      HOLD_MS: '300',
    });
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    callId = callIdOf(caller);
    // Zendesk Talk's line gets the call with the ticket, so it adds the call to that ticket.
    const invite = received(served, /^INVITE /);
    expect(invite, explain(served)).toBeDefined();
    expect(invite!.headers('X-Zendesk-Ticket-Id')).toEqual([String(made.ticket_id)]);

    const record = (await s.waitForRecords([callId], recordSettled)).get(callId)!;
    expect(record, s.agentLog(callId)).toMatchObject({
      line: LINE,
      status: 'completed',
      caller: { e164: '+14155550100', match: 'matched', user_id: 20001 },
      ticket: { id: made.ticket_id, link: 'passed', passed_id: String(made.ticket_id) },
      decision: { action: 'relay', degraded: [] },
      final: { code: 200, ended_by: 'caller' },
    });
    expect(record.handoff).toEqual({
      id: made.handoff_id,
      key_label: LABEL,
      summary: SUMMARY,
      intent: 'technical_support',
      language: 'en-US',
      transcript: TRANSCRIPT.map((t) => ({
        role: t.role,
        text: t.text,
        at: 'at' in t ? t.at : null,
      })),
      created_at: made.created_at,
    });
    // The Worker knew the ticket from the handoff: Zendesk was not asked about it for the call.
    // Neither one ticket's GET nor a show_many (how passed tickets are verified now).
    const lookups = (await requestsSince(from)).filter(
      (r) => r === `GET /api/v2/tickets/${made.ticket_id}` || r === 'GET /api/v2/tickets/show_many',
    );
    expect(lookups).toEqual([]);
  }, 30_000);

  it.skipIf(noBrowser)(
    "shows the agent the handoff in the ticket's sidebar",
    async () => {
      expect(callId, 'the call above').toBeDefined();
      harness = await startHarness({
        appDist: join(ROOT, 'zendesk-app', 'dist'),
        zendesk: s.zendesk,
      });
      browser = await launchChromium();
      const url = harness.install(
        agentInstallation({ url: s.workerUrl, appJwtSecret: s.secrets.APP_JWT_SECRET }),
      )({ ticket: made.ticket_id, locale: 'en-US' });
      const { page, frame } = await openSidebar(browser.context, url);

      const card = frame.locator(`article[data-call-id="${callId}"]`);
      const block = card.locator('[data-part="handoff"]');
      await block.waitFor({ timeout: WAIT });
      expect(await block.getByRole('heading', { level: 3 }).innerText()).toBe(
        `Handed off by ${LABEL}`,
      );
      expect(await block.locator('[data-part="handoff-summary"]').innerText()).toBe(SUMMARY);
      expect(await block.locator('[data-part="handoff-intent"]').innerText()).toBe(
        'technical_support',
      );
      expect(await block.locator('[data-part="handoff-language"]').innerText()).toBe(
        'English (United States)',
      );

      // The transcript stays folded until the agent asks for it.
      const transcript = block.locator('[data-part="handoff-transcript"]');
      expect(await transcript.isVisible()).toBe(false);
      expect(await block.innerText()).not.toContain('My router keeps rebooting.');
      const button = block.getByRole('button', { name: `Transcript (${TRANSCRIPT.length})` });
      expect(await button.getAttribute('aria-expanded')).toBe('false');
      await button.click();
      expect(await button.getAttribute('aria-expanded')).toBe('true');
      const turns = transcript.locator('li');
      await expect.poll(() => turns.count(), { timeout: WAIT }).toBe(TRANSCRIPT.length);
      const shown = await turns.allInnerTexts();
      TRANSCRIPT.forEach((turn, i) => {
        expect(shown[i], `turn ${i}`).toMatch(new RegExp(`^${SPEAKER[turn.role]}\\b`));
        expect(shown[i], `turn ${i}`).toContain(turn.text);
      });

      // Asked for as this agent: the proxy's JWT names her, with her own Zendesk token.
      const asked = harness.proxied.filter(
        (r) => r.url === `${s.workerUrl}/v1/tickets/${made.ticket_id}/calls`,
      );
      expect(asked.length).toBeGreaterThan(0);
      expect(asked[0]).toMatchObject({
        status: 200,
        jwtClaims: { aud: 'sip-bridge-api', sub: String(GRACE_HOPPER_AGENT_ID) },
        agentToken: `Bearer ${DEMO_OAUTH_TOKENS.graceHopper}`,
      });
      await page.close();
    },
    90_000,
  );

  it('writes the context headers the line maps to the ticket, and relays none to Zendesk', async () => {
    expect(made, 'the handoff above').toBeDefined();
    const mapped = await s.admin('PATCH', `/v1/admin/lines/${LINE}`, {
      context_headers: [
        { header: 'X-Intent', to: 'tag', tag_prefix: 'ai_' },
        { header: 'User-to-User', to: 'note', label: 'IVR data' },
      ],
    });
    expect(mapped.status).toBe(200);
    const uui = `04${Buffer.from('acct=88231', 'utf8').toString('hex')};encoding=hex;purpose=isdn-uui`;
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', {
      RURI: made.sip_uri!,
      HEADERS: [made.header, 'X-Intent: Billing Dispute', `User-to-User: ${uui}`].join('\n      '),
      HOLD_MS: '100',
    });
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const invite = received(served, /^INVITE /)!;
    expect(invite.text.split('\n').filter((l) => /^(x-|user-to-user:)/i.test(l))).toEqual([
      `X-Zendesk-Ticket-Id: ${made.ticket_id}`,
    ]);

    const id = callIdOf(caller);
    const record = (await s.waitForRecords([id], (r) => r.context?.status === 'posted')).get(id)!;
    expect(record.context).toEqual({
      status: 'posted',
      items: [
        { header: 'X-Intent', to: 'tag', value: 'ai_billing_dispute' },
        { header: 'User-to-User', to: 'note', value: 'acct=88231', label: 'IVR data' },
      ],
      refused: [],
    });
    const state = await s.zendeskState();
    expect(state.tickets.find((t) => t.id === made.ticket_id)!.tags).toContain(
      'ai_billing_dispute',
    );
    expect(state.comments[String(made.ticket_id)]!.map((c) => c.body)).toContainEqual(
      'Context sent with the call (SIP headers):\nIVR data: acct=88231',
    );
  }, 30_000);

  it('refuses a revoked key and an oversize transcript, writing nothing', async () => {
    const old = await createKey('Acme Voice AI (retired)');
    const revoked = await s.admin('DELETE', `/v1/admin/lines/${LINE}/api-keys/${old.key.id}`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const tickets = await ticketIds();
    const from = (await s.zendeskRequests()).length;

    const refused = await handoff(old.secret, HANDOFF, 'e2e-revoked-1');
    expect(refused.status, JSON.stringify(refused.body)).toBe(401);
    expect((refused.body as Problem).error).toBe('unauthorized');

    const long = TRANSCRIPT.length * 61; // over the 300 turns a handoff may carry
    const tooLong = await handoff(
      key,
      { ...HANDOFF, transcript: Array.from({ length: long }, (_, i) => TRANSCRIPT[i % 5]) },
      'e2e-too-long-1',
    );
    expect(tooLong.status, JSON.stringify(tooLong.body)).toBe(413);
    expect(tooLong.body).toMatchObject({
      error: 'payload_too_large',
      issues: [{ path: 'transcript' }],
    });

    // Neither reached Zendesk: no request at all, no new ticket.
    expect(await requestsSince(from)).toEqual([]);
    expect(await ticketIds()).toEqual(tickets);
  }, 30_000);
});
