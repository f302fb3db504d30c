import { describe, expect, it } from 'vitest';
import { classifyStatus } from './bridgeRequest';

describe('classifyStatus', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [0, 'unreachable'],
    [404, 'unreachable'],
    [500, 'unreachable'],
    [503, 'unreachable'],
    [400, 'unexpected'],
    [429, 'unexpected'],
  ])('%i → %s', (status, kind) => expect(classifyStatus(status)).toBe(kind));
});
