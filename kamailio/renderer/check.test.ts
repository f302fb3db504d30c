// kamailio -c through checkKamailioConfig: the verdict, and the version it was checked with.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkKamailioConfig, versionNote } from './check';

const work = mkdtempSync(join(tmpdir(), 'check-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A kamailio that reports `version` for -v and accepts (or refuses) every cfg for -c. */
function fakeKamailio(version: string, accepts = true): string {
  const bin = join(work, `kamailio-${version}-${accepts}`);
  writeFileSync(
    bin,
    [
      '#!/bin/sh',
      `if [ "$1" = "-v" ]; then echo "version: kamailio ${version} (x86_64/linux)"; exit 0; fi`,
      accepts
        ? 'echo " 0(1) INFO: <core> [main.c:3190]: main(): config file ok, exiting..."; exit 0'
        : 'echo " 0(1) ERROR: <core> [cfg.y:3700]: yyparse(): parse error in config"; exit 255',
    ].join('\n'),
    { mode: 0o755 },
  );
  return bin;
}

describe('checkKamailioConfig', () => {
  it('names the Kamailio version it checked with; tested versions carry no note', async () => {
    for (const version of ['5.6.3', '6.0.1']) {
      const r = await checkKamailioConfig('/x/kamailio.cfg', { kamailio: fakeKamailio(version) });
      expect(r.ok).toBe(true);
      expect(r.version).toBe(version);
      expect(r.summary).toBe(`kamailio -c: config file ok (/x/kamailio.cfg; Kamailio ${version})`);
      expect(r.versionNote).toBeUndefined();
    }
  });

  it('says so when the version is not one the template is tested on', async () => {
    const r = await checkKamailioConfig('/x/kamailio.cfg', { kamailio: fakeKamailio('7.1.0') });
    expect(r.ok).toBe(true);
    expect(r.versionNote).toBe(
      'Kamailio 7.1.0: the template is tested on 5.6 (Debian 12) and 6.0 (Debian 13) only',
    );
    expect(versionNote('5.5.4')).toMatch(/^Kamailio 5\.5\.4: /);
    expect(versionNote(null)).toMatch(/^Kamailio \(version unknown\): /);
  });

  it('fails with the error lines when kamailio -c refuses the cfg', async () => {
    const r = await checkKamailioConfig('/x/kamailio.cfg', {
      kamailio: fakeKamailio('5.6.3', false),
    });
    expect(r.ok).toBe(false);
    expect(r.summary).toMatch(
      /^kamailio -c failed \(exit 255\) for \/x\/kamailio\.cfg:\nERROR: .*parse error/,
    );
  });
});
