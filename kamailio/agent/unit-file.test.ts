// The shipped systemd unit keeps the agent's files private even where the code sets no mode.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const unit = readFileSync(join(__dirname, '..', 'systemd', 'sipbridge-agent.service'), 'utf8');
const service = (key: string) =>
  unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

describe('sipbridge-agent.service', () => {
  it('runs with UMask=0077 and a private state directory', () => {
    expect(service('UMask')).toEqual(['0077']);
    expect(service('StateDirectoryMode')).toEqual(['0700']);
  });
});
