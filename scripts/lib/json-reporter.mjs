// Vitest's JSON report plus the run's unhandled errors, which the built-in JSON reporter leaves out
// (an unhandled rejection fails the run but leaves every test "passed").
import { JsonReporter } from 'vitest/reporters';

export default class JsonWithUnhandledErrorsReporter extends JsonReporter {
  unhandledErrors = [];

  async onTestRunEnd(testModules, unhandledErrors = []) {
    this.unhandledErrors = unhandledErrors.map((e) => ({
      name: e?.name ?? 'Error',
      message: e?.message ?? String(e),
    }));
    await super.onTestRunEnd(testModules);
  }

  async writeReport(report) {
    const parsed = JSON.parse(report);
    await super.writeReport(JSON.stringify({ ...parsed, unhandledErrors: this.unhandledErrors }));
  }
}
