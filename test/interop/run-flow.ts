import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Clock } from 'nest-oauth-server';
import { FakeClock } from '../support/fake-clock';
import type { TestAppOptions } from '../support/test-app';

/**
 * Runs one of test/interop/flows/*.mjs in a child process (the libraries are ESM-only, or depend on
 * ESM-only jose) and returns the JSON it prints.
 */
export function runFlow<T = Record<string, any>>(name: string, env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(__dirname, 'flows', `${name}.mjs`)], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${name}.mjs failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout) as T);
    });
  });
}

/**
 * The interop suites verify tokens with libraries that check `exp` against the real time, so the
 * service's clock starts at the real now (still moved by hand: `clock.advance`).
 */
export function realTimeClock(clock = new FakeClock(Date.now())): { clock: FakeClock; override: NonNullable<TestAppOptions['override']> } {
  return { clock, override: (builder) => builder.overrideProvider(Clock).useValue(clock) };
}
