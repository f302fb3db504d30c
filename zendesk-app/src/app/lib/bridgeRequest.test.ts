import { describe, expect, it } from 'vitest';
import { bridgeRequestOptions, classifyFailure, classifyStatus } from './bridgeRequest';

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

describe('classifyFailure', () => {
  it.each([
    [401, 'sign_in_required', 'sign_in'],
    [404, 'ticket_not_found', 'not_permitted'],
    [403, 'agent_required', 'not_permitted'],
    [401, 'unauthorized', 'unauthorized'],
    [404, 'not_found', 'unreachable'],
    [503, 'zendesk_unavailable', 'unreachable'],
  ])('%i %s → %s', (status, code, kind) => expect(classifyFailure(status, code)).toBe(kind));
});

describe('bridgeRequestOptions', () => {
  it("asks Zendesk's proxy for the JWT and the agent's OAuth token, both as placeholders", () => {
    const options = bridgeRequestOptions({
      apiUrl: 'https://api.example',
      path: '/v1/x',
      userId: 7,
    });
    expect(options.secure).toBe(true);
    expect(options.headers).toEqual({
      Authorization: 'Bearer {{jwt.token}}',
      'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}',
    });
  });
});
