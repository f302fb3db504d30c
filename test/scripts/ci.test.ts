import { afterEach, describe, expect, it, vi } from 'vitest';
import { inCi, prerequisite } from '../../scripts/lib/ci.mjs';

describe('inCi', () => {
  it('is true for CI=true and CI=1, false otherwise', () => {
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(inCi({ CI: '1' })).toBe(true);
    expect(inCi({ CI: 'false' })).toBe(false);
    expect(inCi({ CI: '0' })).toBe(false);
    expect(inCi({ CI: '' })).toBe(false);
    expect(inCi({})).toBe(false);
  });
});

describe('prerequisite', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('under CI, a missing prerequisite throws its message', () => {
    vi.stubEnv('CI', '1');
    expect(() => prerequisite('kamailio is missing')).toThrow('kamailio is missing');
    vi.stubEnv('CI', 'true');
    expect(() => prerequisite('sipp is missing')).toThrow('sipp is missing');
  });

  it('elsewhere, it warns and returns the message to skip with', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(prerequisite('chromium is missing')).toBe('chromium is missing');
    expect(warn).toHaveBeenCalledWith('! skipping: chromium is missing');
    warn.mockRestore();
  });

  it('nothing missing: undefined, under CI too', () => {
    vi.stubEnv('CI', '1');
    expect(prerequisite(undefined)).toBeUndefined();
  });
});
