import { describe, expect, it } from 'vitest';
import { createWebhookCommand, rotateSecretCommand } from './webhookCommands';

describe('the admin-token commands the console shows', () => {
  it('names the token as a shell variable, never a value, and quotes what the admin typed', () => {
    const create = createWebhookCommand('https://bridge.example/', 'paris', "https://h.io/a'b");
    expect(create).toContain("'https://bridge.example/v1/admin/lines/paris'");
    expect(create).toContain('-H "Authorization: Bearer $ADMIN_TOKEN"');
    expect(create).toContain(`'{"webhook":{"url":"https://h.io/a'\\''b"}}'`);
    expect(rotateSecretCommand('https://bridge.example', 'paris')).toBe(
      "curl -sS -X POST 'https://bridge.example/v1/admin/lines/paris/webhook/rotate-secret' \\\n" +
        '  -H "Authorization: Bearer $ADMIN_TOKEN"',
    );
  });
});
