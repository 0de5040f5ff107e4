import { Clock } from '../common/clock';

/**
 * A clock a test moves by hand, so lifetimes are tested without sleeping:
 * `Test.createTestingModule(...).overrideProvider(Clock).useValue(new FakeClock())`.
 */
export class FakeClock extends Clock {
  /**
   * @param jump the `clockOffsetMs` option of the app under test (a jumped clock), for setToRealTime().
   */
  constructor(
    private current = Date.UTC(2026, 0, 1),
    private readonly jump = 0,
  ) {
    super();
  }

  override now(): number {
    return this.current;
  }

  /** To this instant (epoch milliseconds). */
  set(epochMs: number): void {
    this.current = epochMs;
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }

  /** To the machine's time plus the jump (what a real instance's Clock says now). */
  setToRealTime(): void {
    this.current = Date.now() + this.jump;
  }
}
