import { Injectable } from '@nestjs/common';

/**
 * The service's notion of "now", in epoch milliseconds. Tests override it instead of sleeping.
 *
 * CLOCK_OFFSET_MS (a testing aid, never for production) shifts it by that many milliseconds, so
 * that the fault suite can run one real instance whose clock jumped (issue 13: a +31 days jump on
 * one instance must not delete the live families of the shared database).
 */
@Injectable()
export class Clock {
  private readonly offset = clockOffset();

  now(): number {
    return Date.now() + this.offset;
  }
}

function clockOffset(): number {
  const value = Number(process.env.CLOCK_OFFSET_MS ?? 0);
  return Number.isFinite(value) ? value : 0;
}
