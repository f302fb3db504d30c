import { describe, expect, it } from 'vitest';
import { billedMinutes, callCostMicros, callDurationSeconds, formatUsd } from './cost';

describe('call cost', () => {
  it('bills every started minute', () => {
    expect(billedMinutes(0)).toBe(0);
    expect(billedMinutes(1)).toBe(1);
    expect(billedMinutes(60)).toBe(1);
    expect(billedMinutes(61)).toBe(2);
    expect(callCostMicros(61, 10_000)).toBe(20_000);
    expect(callCostMicros(0, 10_000)).toBe(0);
  });
  it('rounds talk time up to whole seconds and never goes negative', () => {
    expect(callDurationSeconds('2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.200Z')).toBe(61);
    expect(callDurationSeconds('2026-01-01T00:00:05Z', '2026-01-01T00:00:00Z')).toBe(0);
  });
  it('formats dollars exactly', () => {
    expect(formatUsd(20_000)).toBe('0.02');
    expect(formatUsd(8_500)).toBe('0.0085');
    expect(formatUsd(12_340_000)).toBe('12.34');
    expect(formatUsd(0)).toBe('0.00');
  });
});
