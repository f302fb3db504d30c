import { describe, expect, it } from 'vitest';
import { escapeHtml, handoffCommentHtml, type HandoffNote } from './comment';

const note: HandoffNote = {
  handoffId: 'ho_000000000000000000000001',
  line: { slug: 'ai-agent', name: 'AI agent hand-off' },
  keyLabel: 'Acme Voice AI',
  callerE164: '+442079460958',
  caller: { name: 'Alan Turing' },
  matchText: 'matched user #20003',
  summary: null,
  intent: null,
  language: null,
  transcript: [],
};

describe('escapeHtml', () => {
  it('escapes the five HTML characters and turns line breaks into <br>', () => {
    expect(escapeHtml(`<a href="x">it's & </a>\r\nnext\nlast`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;it&#39;s &amp; &lt;/a&gt;<br>next<br>last',
    );
  });
});

describe('handoffCommentHtml', () => {
  it('names the vendor, the line, the caller in international format and the match', () => {
    const html = handoffCommentHtml(note);
    expect(html).toContain(
      '<p><strong>Handoff from an AI agent</strong> (Acme Voice AI) on line "AI agent hand-off" (ai-agent)</p>',
    );
    expect(html).toContain(
      '<strong>Caller:</strong> +44 20 7946 0958 · Alan Turing<br><strong>Caller match:</strong> matched user #20003',
    );
    expect(html).not.toContain('Transcript');
    expect(html).toContain('Handoff ho_000000000000000000000001 through the SIP bridge.');
  });

  it('lists the transcript turns with speaker and UTC time, untimed turns without one', () => {
    const html = handoffCommentHtml({
      ...note,
      transcript: [
        { role: 'agent', text: 'Hello', at: '2026-11-21T10:30:01+01:00' },
        { role: 'caller', text: 'Hi', at: null },
        { role: 'system', text: 'transfer requested', at: '2026-11-21T09:31:00Z' },
      ],
    });
    expect(html).toContain('<p><strong>Transcript</strong> (times in UTC)</p>');
    expect(html).toContain(
      '<ul><li><strong>[09:30:01] AI agent:</strong> Hello</li><li><strong>Caller:</strong> Hi</li>' +
        '<li><strong>[09:31:00] System:</strong> transfer requested</li></ul>',
    );
  });

  it('escapes every value it is given, the vendor label and line name included', () => {
    const evil = '<script>alert(1)</script>';
    const html = handoffCommentHtml({
      ...note,
      keyLabel: evil,
      line: { slug: 'ai-agent', name: evil },
      caller: { name: evil, email: evil, external_id: evil },
      matchText: evil,
      summary: evil,
      intent: evil,
      language: evil,
      transcript: [{ role: 'caller', text: evil, at: null }],
    });
    expect(html).not.toContain('<script>');
    expect(html.match(/&lt;script&gt;/g)).toHaveLength(10);
  });
});
