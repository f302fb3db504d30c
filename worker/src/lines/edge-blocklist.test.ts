import { describe, expect, it } from 'vitest';
import { edgeBlockKeys } from './edge-blocklist';

describe('edgeBlockKeys', () => {
  it('publishes a number of the line country in E.164 digits and its national forms', () => {
    expect(edgeBlockKeys('+33612345678', 'FR')).toEqual(['33612345678', '0612345678', '612345678']);
    expect(edgeBlockKeys('+14155550100', 'US')).toEqual(['14155550100', '4155550100']);
  });

  it('publishes a foreign number only in E.164 digits (national forms would be another number)', () => {
    expect(edgeBlockKeys('+33612345678', 'US')).toEqual(['33612345678']);
  });
});
