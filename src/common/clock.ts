import { Injectable } from '@nestjs/common';

/** The service's notion of "now", in epoch milliseconds. Tests override it instead of sleeping. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
