import { describe, expect, it } from 'vitest';
import { socketErrorCode } from './socket-error';
import { describeWorkerFailure } from './worker-client';

describe('socketErrorCode', () => {
  it('finds the code however deep undici nested it', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    const nested = new TypeError('fetch failed', {
      cause: new Error('other side', { cause: socket }),
    });
    expect(socketErrorCode(nested)).toBe('ECONNREFUSED');
    expect(describeWorkerFailure(nested)).toBe('network: ECONNREFUSED');
  });

  it('gives undefined without a code, and the agent falls back to the message', () => {
    expect(socketErrorCode(new Error('bad'))).toBeUndefined();
    expect(socketErrorCode(undefined)).toBeUndefined();
    expect(describeWorkerFailure(new Error('socket hang up'))).toBe('network: socket hang up');
  });
});
