import { FakeClock as LibraryFakeClock } from 'nest-oauth-server/testing';

/**
 * The tests' fake clock is the one a host gets from the testing entry point, told the
 * CLOCK_OFFSET_MS the app under test runs with (the service maps it to `clockOffsetMs`).
 */
export class FakeClock extends LibraryFakeClock {
  constructor(current?: number) {
    super(current, Number(process.env.CLOCK_OFFSET_MS ?? 0) || 0);
  }
}
