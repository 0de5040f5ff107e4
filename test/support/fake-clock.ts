import { Clock } from 'nest-oauth-server';

/** A clock the test moves by hand, so lifetimes are tested without sleeping. */
export class FakeClock extends Clock {
  /** CLOCK_OFFSET_MS, as the real Clock reads it: an app of a test may run with a jumped clock. */
  private readonly jump = Number(process.env.CLOCK_OFFSET_MS ?? 0) || 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {
    super();
  }

  override now(): number {
    return this.current;
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }

  /** To the machine's time plus CLOCK_OFFSET_MS (what a real instance's Clock says now). */
  setToRealTime(): void {
    this.current = Date.now() + this.jump;
  }
}
