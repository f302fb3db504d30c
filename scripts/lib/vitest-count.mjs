// The closing count of `npm test`, from a vitest JSON report (scripts/lib/json-reporter.mjs).
//
// Vitest's own numFailedTests counts failed tests only. A file that throws at import (the CI guards
// for a missing Kamailio or Chromium do exactly that), a failing beforeAll/afterAll, and unhandled
// errors leave it at 0. numFailedTestSuites does not help either: it counts describe blocks, so one
// failed test inside two describes counts three times. Here:
//   failed = failed tests
//          + each test file that failed without a failed test, or with an error of its own
//            (testResults[].status "failed" with a message: import error, file-level hook)
//          + each unhandled error (uncaught exception or rejection during the run)
// and a step whose report is missing (vitest itself crashed), or that exited non-zero with nothing
// counted, counts one failure.

/**
 * @param {any} report the parsed JSON report, or undefined when none was written
 * @param {number | null} exitStatus vitest's exit status
 * @returns {{ passed: number, failed: number, skipped: number, problems: string[] }}
 */
export function countReport(report, exitStatus = 0) {
  if (!report) {
    return {
      passed: 0,
      failed: 1,
      skipped: 0,
      problems: [`no report written (vitest exited ${exitStatus})`],
    };
  }
  const problems = [];
  let failed = report.numFailedTests ?? 0;
  for (const file of report.testResults ?? []) {
    if (file.status !== 'failed') continue;
    const failedTests = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (failedTests === 0 || file.message) {
      failed += 1;
      problems.push(`${file.name}: ${file.message || 'the suite failed outside its tests'}`);
    }
  }
  for (const e of report.unhandledErrors ?? []) {
    failed += 1;
    problems.push(`unhandled ${e.name}: ${e.message}`);
  }
  if (exitStatus !== 0 && failed === 0) {
    failed = 1;
    problems.push(`vitest exited ${exitStatus} with no failure in its report`);
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    problems,
  };
}
