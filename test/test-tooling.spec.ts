import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

function ensureBrowser(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/bash', [join(ROOT, 'scripts', 'ensure-browser.sh')], { env }, (error, _stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stderr }),
    );
  });
}

describe("npm test's pretest step (scripts/ensure-browser.sh)", () => {
  it('does nothing when the browser is there', async () => {
    expect(await ensureBrowser({ CHROMIUM_PATH: '/bin/sh', PATH: '/usr/bin:/bin' })).toEqual({ code: 0, stderr: '' });
  });

  it('fails loudly (non-zero, one clear reason) when the browser is missing and cannot be installed', async () => {
    // An empty PATH: no apt-get, no sudo.
    const result = await ensureBrowser({ CHROMIUM_PATH: '/nonexistent/chromium', PATH: mkdtempSync(join(tmpdir(), 'no-apt-')) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\/nonexistent\/chromium is missing and could not be installed \(no apt-get/);
    expect(result.stderr).toMatch(/apt-get install -y chromium/);
  });
});

describe('the closing "N passed, N failed" line (test/support/summary-reporter.js)', () => {
  const SummaryReporter = require('./support/summary-reporter');

  function closingLines(results: Record<string, number>): { stdout: string; file: string } {
    const file = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary');
    const previous = process.env.TEST_SUMMARY_FILE;
    process.env.TEST_SUMMARY_FILE = file;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      new SummaryReporter().onRunComplete(new Set(), results);
      return { stdout: write.mock.calls.map(([chunk]) => String(chunk)).join(''), file: readFileSync(file, 'utf8') };
    } finally {
      write.mockRestore();
      if (previous === undefined) delete process.env.TEST_SUMMARY_FILE;
      else process.env.TEST_SUMMARY_FILE = previous;
    }
  }

  it("counts exactly Jest's tests, and names a suite that failed to run on a line of its own", () => {
    const { stdout, file } = closingLines({ numPassedTests: 475, numFailedTests: 4, numRuntimeErrorTestSuites: 1 });
    expect(stdout.trim().split('\n').pop()).toBe('475 passed, 4 failed');
    expect(stdout).toMatch(/1 test suite\(s\) failed to run/);
    expect(file).toBe('475 passed, 4 failed\n');
  });

  it('a green run', () => {
    expect(closingLines({ numPassedTests: 3, numFailedTests: 0, numRuntimeErrorTestSuites: 0 }).stdout).toBe('\n3 passed, 0 failed\n');
  });
});
