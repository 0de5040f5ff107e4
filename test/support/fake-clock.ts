import { Clock } from '../../src/common/clock';

/** A clock the test moves by hand, so lifetimes are tested without sleeping. */
export class FakeClock extends Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {
    super();
  }

  override now(): number {
    return this.current;
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}
