// Ends every jest run with the plain line "N passed, N failed" (and appends it to
// $TEST_SUMMARY_FILE when set, so .ci/run can add up several runs).
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.TEST_SUMMARY_FILE) appendFileSync(process.env.TEST_SUMMARY_FILE, `${line}\n`);
  }
}

module.exports = SummaryReporter;
