import { Clock } from '../common/clock';

/**
 * A clock a test moves by hand, so lifetimes are tested without sleeping:
 * `Test.createTestingModule(...).overrideProvider(Clock).useValue(new FakeClock())`.
 */
export class FakeClock extends Clock {
  /** CLOCK_OFFSET_MS, as the real Clock reads it: an app of a test may run with a jumped clock. */
  private readonly jump = Number(process.env.CLOCK_OFFSET_MS ?? 0) || 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {
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

  /** To the machine's time plus CLOCK_OFFSET_MS (what a real instance's Clock says now). */
  setToRealTime(): void {
    this.current = Date.now() + this.jump;
  }
}
