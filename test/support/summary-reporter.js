// Ends every jest run with the plain line "N passed, N failed" (and appends it to
// $TEST_SUMMARY_FILE when set, so .ci/run can add up several runs). The numbers are exactly Jest's
// own "Tests:" line. A suite that fails to run (syntax error, a throwing import) has no tests to
// count: it is named on a line of its own, and Jest's non-zero exit code makes the run red.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    if (results.numRuntimeErrorTestSuites > 0) {
      process.stdout.write(`\n${results.numRuntimeErrorTestSuites} test suite(s) failed to run (see above)`);
    }
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.TEST_SUMMARY_FILE) appendFileSync(process.env.TEST_SUMMARY_FILE, `${line}\n`);
  }
}

module.exports = SummaryReporter;
