import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import {
  ADA_LOVELACE_ID,
  API_USER_ID,
  CLOSED_TICKET_ID,
  FIRST_NEW_TICKET_ID,
  GRACE_HOPPER_AGENT_ID,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
  SOLVED_TICKET_ID,
} from '../seed';
import { call, callJson, ORIGIN } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const voiceComment = {
  from: '+14155550100',
  to: '+18005550000',
  started_at: '2024-06-01T10:00:00Z',
  call_duration: 95,
  answered_by_id: GRACE_HOPPER_AGENT_ID,
  recording_url: 'https://recordings.example.com/call-1.mp3',
  transcription_text: 'Hello, my router is still rebooting.',
};

describe('GET /api/v2/tickets/{id}', () => {
  it('shows a seeded ticket with the documented fields, with and without .json', async () => {
    for (const path of ['/api/v2/tickets/1001.json', '/api/v2/tickets/1001']) {
      const res = await callJson(zendesk, path);
      expect(res.status).toBe(200);
      expect(res.body.ticket).toEqual({
        id: OPEN_TICKET_ID,
        url: `${ORIGIN}/api/v2/tickets/1001.json`,
        external_id: null,
        subject: 'Router keeps rebooting',
        description: expect.any(String),
        status: 'open',
        requester_id: ADA_LOVELACE_ID,
        submitter_id: ADA_LOVELACE_ID,
        assignee_id: GRACE_HOPPER_AGENT_ID,
        group_id: 360001,
        tags: ['hardware'],
        priority: null,
        custom_fields: [],
        via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
        created_at: '2024-01-15T10:00:00Z',
        updated_at: '2024-01-15T10:00:00Z',
      });
    }
  });

  it('seeds tickets in every state the bridge must handle', async () => {
    const statuses = [OPEN_TICKET_ID, PENDING_TICKET_ID, SOLVED_TICKET_ID, CLOSED_TICKET_ID].map(
      (id) => zendesk.state.tickets.get(id)?.status,
    );
    expect(statuses).toEqual(['open', 'pending', 'solved', 'closed']);
  });

  it('answers 404 RecordNotFound for unknown and non-numeric ids', async () => {
    for (const path of [
      '/api/v2/tickets/999999.json',
      '/api/v2/tickets/abc',
      '/api/v2/tickets/0',
    ]) {
      const res = await callJson(zendesk, path);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ error: 'RecordNotFound', description: 'Not found' });
    }
  });
});

describe('POST /api/v2/tickets', () => {
  it('creates a voice ticket: 201, Location, via channel voice, first comment stored', async () => {
    const res = await call(zendesk, '/api/v2/tickets.json', {
      body: {
        ticket: {
          subject: 'Call from +1 415 555 0100',
          comment: { body: 'Inbound call', public: false },
          requester_id: ADA_LOVELACE_ID,
          tags: ['sip', 'sip'],
          via_id: 34,
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('Location')).toBe(
      `${ORIGIN}/api/v2/tickets/${FIRST_NEW_TICKET_ID}.json`,
    );
    const { ticket } = (await res.json()) as { ticket: Record<string, unknown> };
    expect(ticket).toMatchObject({
      id: FIRST_NEW_TICKET_ID,
      subject: 'Call from +1 415 555 0100',
      description: 'Inbound call',
      status: 'new',
      requester_id: ADA_LOVELACE_ID,
      submitter_id: API_USER_ID,
      tags: ['sip'],
      via: { channel: 'voice', source: { from: {}, to: {}, rel: null } },
    });
    expect(zendesk.state.tickets.get(FIRST_NEW_TICKET_ID)?.via_id).toBe(34);
    expect(zendesk.state.comments.get(FIRST_NEW_TICKET_ID)).toEqual([
      expect.objectContaining({ body: 'Inbound call', public: false, author_id: API_USER_ID }),
    ]);
  });

  it('assigns ids incrementally and defaults the requester to the API user', async () => {
    const body = { ticket: { comment: { body: 'one' } } };
    const first = await callJson(zendesk, '/api/v2/tickets', { body });
    const second = await callJson(zendesk, '/api/v2/tickets', { body });
    expect([first.body.ticket.id, second.body.ticket.id]).toEqual([1005, 1006]);
    expect(first.body.ticket.requester_id).toBe(API_USER_ID);
    expect(first.body.ticket.via.channel).toBe('api');
  });

  it('stores a voice_comment sent on create after the first comment', async () => {
    const body = { ticket: { comment: { body: 'Inbound call' }, voice_comment: voiceComment } };
    expect((await call(zendesk, '/api/v2/tickets', { body })).status).toBe(201);
    const comments = zendesk.state.comments.get(FIRST_NEW_TICKET_ID) ?? [];
    expect(comments.map((c) => [c.type, c.public])).toEqual([
      ['Comment', true],
      ['VoiceComment', false],
    ]);
    expect(comments[1]?.data).toEqual(voiceComment);
  });

  it('creates the requester from {name, email} when no requester_id is given', async () => {
    const body = { ticket: { comment: { body: 'hi' }, requester: { name: 'New Caller' } } };
    const res = await callJson(zendesk, '/api/v2/tickets', { body });
    const requester = zendesk.state.users.get(res.body.ticket.requester_id);
    expect(requester).toMatchObject({ name: 'New Caller', role: 'end-user' });
  });

  it('answers 422 RecordInvalid with details.base when the comment body is missing', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets', {
      body: { ticket: { subject: 'x', comment: {} } },
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { base: [{ description: 'Description: cannot be blank', error: 'BlankValue' }] },
    });
  });

  it('answers 422 with details.requester for an unknown requester_id', async () => {
    const body = { ticket: { comment: { body: 'hi' }, requester_id: 424242 } };
    const res = await callJson(zendesk, '/api/v2/tickets', { body });
    expect(res.status).toBe(422);
    expect(res.body.details.requester).toEqual([
      expect.objectContaining({ description: expect.stringMatching(/^Requester: /) }),
    ]);
    expect(zendesk.state.tickets.has(FIRST_NEW_TICKET_ID)).toBe(false);
  });

  it('answers 400 when the ticket object is missing', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets', { body: { comment: { body: 'hi' } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('ParameterMissing');
  });
});

describe('PUT /api/v2/tickets/{id}', () => {
  it('adds a private note and answers {ticket, audit}', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets/1001.json', {
      method: 'PUT',
      body: { ticket: { comment: { body: 'Call ended after 95s', public: false } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.ticket.id).toBe(OPEN_TICKET_ID);
    expect(res.body.audit).toMatchObject({
      ticket_id: OPEN_TICKET_ID,
      events: [{ type: 'Comment', body: 'Call ended after 95s', public: false }],
    });
    expect(zendesk.state.comments.get(OPEN_TICKET_ID)?.at(-1)).toMatchObject({
      type: 'Comment',
      public: false,
      author_id: API_USER_ID,
    });
  });

  it('stores a voice comment as a private VoiceComment with its data', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets/1001', {
      method: 'PUT',
      body: { ticket: { voice_comment: voiceComment, status: 'pending', tags: ['called'] } },
    });
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ status: 'pending', tags: ['called'] });
    const events = res.body.audit.events.map((e: { type: string }) => e.type);
    expect(events).toEqual(['VoiceComment', 'Change', 'Change']);

    const list = await callJson(zendesk, '/api/v2/tickets/1001/comments.json');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ count: 3, next_page: null, previous_page: null });
    const last = list.body.comments.at(-1);
    expect(last).toMatchObject({ type: 'VoiceComment', public: false, data: voiceComment });
    expect(last.body).toContain('Answered by: Grace Hopper');
    expect(list.body.comments[0]).toEqual({
      id: expect.any(Number),
      type: 'Comment',
      body: 'My router restarts every few minutes since the firmware update.',
      html_body: '<p>My router restarts every few minutes since the firmware update.</p>',
      plain_body: 'My router restarts every few minutes since the firmware update.',
      public: true,
      author_id: ADA_LOVELACE_ID,
      created_at: '2024-01-15T10:00:00Z',
    });
  });

  it('refuses an incomplete voice comment with details.voice_comment', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets/1001', {
      method: 'PUT',
      body: { ticket: { voice_comment: { ...voiceComment, from: '', call_duration: '95' } } },
    });
    expect(res.status).toBe(422);
    const descriptions = res.body.details.voice_comment.map(
      (d: { description: string }) => d.description,
    );
    expect(descriptions).toEqual([
      'Voice comment: from cannot be blank',
      'Voice comment: call_duration must be a whole number of seconds',
    ]);
  });

  it('changes the requester and refuses an unknown one', async () => {
    const put = (requester_id: number) =>
      callJson(zendesk, '/api/v2/tickets/1002', {
        method: 'PUT',
        body: { ticket: { requester_id } },
      });
    expect((await put(ADA_LOVELACE_ID)).body.ticket.requester_id).toBe(ADA_LOVELACE_ID);
    const bad = await put(999);
    expect(bad.status).toBe(422);
    expect(bad.body.details.requester).toHaveLength(1);
  });

  it('refuses to update a closed ticket', async () => {
    const res = await callJson(zendesk, `/api/v2/tickets/${CLOSED_TICKET_ID}.json`, {
      method: 'PUT',
      body: { ticket: { comment: { body: 'late note', public: false } } },
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { status: [{ description: 'Status: closed prevents ticket update' }] },
    });
  });

  // Zendesk's documented limit: 5,000 comments per ticket.
  it('refuses a comment past 5000 per ticket', async () => {
    const existing = zendesk.state.commentCount(OPEN_TICKET_ID);
    for (let i = existing; i < 5000; i++) {
      zendesk.state.addComment(OPEN_TICKET_ID, { body: `c${i}`, author_id: API_USER_ID });
    }
    const res = await callJson(zendesk, '/api/v2/tickets/1001', {
      method: 'PUT',
      body: { ticket: { comment: { body: 'one too many' } } },
    });
    expect(res.status).toBe(422);
    expect(res.body.details.base[0].error).toBe('TooManyComments');
    expect(zendesk.state.commentCount(OPEN_TICKET_ID)).toBe(5000);
  });

  it('answers 404 for unknown tickets, for updates and comment lists', async () => {
    const body = { ticket: { comment: { body: 'x' } } };
    expect((await call(zendesk, '/api/v2/tickets/31337', { method: 'PUT', body })).status).toBe(
      404,
    );
    expect((await call(zendesk, '/api/v2/tickets/31337/comments')).status).toBe(404);
  });
});
