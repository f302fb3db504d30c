import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countReport } from '../../scripts/lib/vitest-count.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = new URL('./count-fixtures/', import.meta.url).pathname;

// Runs vitest the way scripts/test.mjs does, on suites that break outside their tests.
describe("npm test's closing count, on a real vitest run", () => {
  const dir = mkdtempSync(join(tmpdir(), 'vitest-count-'));
  let report: any;
  let status: number | null;

  beforeAll(() => {
    const out = join(dir, 'report.json');
    const res = spawnSync(
      join(ROOT, 'node_modules/.bin/vitest'),
      [
        'run',
        '--config',
        join(FIXTURES, 'vitest.config.ts'),
        `--reporter=${join(ROOT, 'scripts/lib/json-reporter.mjs')}`,
        `--outputFile.json=${out}`,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '' } },
    );
    status = res.status;
    report = JSON.parse(readFileSync(out, 'utf8'));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("vitest's own numFailedTests sees only the one failed test", () => {
    expect(status).toBe(1);
    expect(report.numFailedTests).toBe(1);
  });

  it('the report carries the unhandled rejection', () => {
    expect(report.unhandledErrors).toEqual([
      { name: 'Error', message: 'stray rejection (fixture)' },
    ]);
  });

  it('counts the failed test, the file that threw at import, the failed hook and the rejection', () => {
    const count = countReport(report, status);
    expect({ passed: count.passed, failed: count.failed, skipped: count.skipped }).toEqual({
      // plain: passes; unhandled: its test passes
      passed: 2,
      // plain: fails; import-throws; hook-throws; the stray rejection
      failed: 4,
      // plain: skip and todo; hook-throws: its test
      skipped: 3,
    });
    expect(count.problems.join('\n')).toContain('Kamailio is not installed (fixture)');
    expect(count.problems.join('\n')).toContain('hook-throws.fixture.ts');
    expect(count.problems.join('\n')).toContain('stray rejection (fixture)');
  });
});

describe('countReport', () => {
  it('counts a step that wrote no report (vitest crashed) as one failure', () => {
    expect(countReport(undefined, 1)).toMatchObject({ passed: 0, failed: 1, skipped: 0 });
  });

  it('counts a non-zero exit with nothing failed in the report as one failure', () => {
    const report = { numPassedTests: 3, numFailedTests: 0, testResults: [] };
    expect(countReport(report, 1)).toMatchObject({ passed: 3, failed: 1 });
    expect(countReport(report, 0)).toMatchObject({ passed: 3, failed: 0 });
  });

  it('does not count a file again for the failed tests already counted', () => {
    const report = {
      numPassedTests: 0,
      numFailedTests: 2,
      testResults: [
        {
          name: 'a.test.ts',
          status: 'failed',
          message: '',
          assertionResults: [{ status: 'failed' }, { status: 'failed' }],
        },
      ],
    };
    expect(countReport(report, 1).failed).toBe(2);
  });
});
