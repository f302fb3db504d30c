import { describe, expect, it } from 'vitest';
import { parseDispatcherTargets } from './dispatcher-targets';

const dest = (URI: string, FLAGS: string, BODY = 'line=demo') => ({
  DEST: { URI, FLAGS, PRIORITY: 10, ATTRS: { BODY } },
});

describe('dispatcher targets', () => {
  it('reads each target with its line, and down when probing marked it inactive or it is disabled', () => {
    const targets = parseDispatcherTargets({
      NRSETS: 2,
      RECORDS: [
        { SET: { ID: 1, TARGETS: [dest('sip:a@192.0.2.1', 'AP'), dest('sip:b@192.0.2.2', 'IP')] } },
        {
          SET: {
            ID: 2,
            TARGETS: [
              dest('sip:c@192.0.2.3', 'TP', 'line=carrier'),
              dest('sip:d@192.0.2.4', 'DX', ''),
            ],
          },
        },
      ],
    });
    expect(targets.map((t) => [t.set, t.uri, t.line, t.up])).toEqual([
      [1, 'sip:a@192.0.2.1', 'demo', true],
      [1, 'sip:b@192.0.2.2', 'demo', false],
      [2, 'sip:c@192.0.2.3', 'carrier', true],
      [2, 'sip:d@192.0.2.4', null, false],
    ]);
  });

  it('reads no sets as no targets, and refuses a malformed answer', () => {
    expect(parseDispatcherTargets({})).toEqual([]);
    expect(() => parseDispatcherTargets({ RECORDS: 'x' })).toThrow(/RECORDS is not a list/);
    expect(() => parseDispatcherTargets({ RECORDS: [{ SET: { ID: 1, TARGETS: [{}] } }] })).toThrow(
      /without DEST.URI/,
    );
  });
});
