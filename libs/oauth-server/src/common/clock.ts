import { Inject, Injectable, Optional } from '@nestjs/common';
import { runtimeConfig, RuntimeConfig } from '../config/runtime.config';

/**
 * The service's notion of "now", in epoch milliseconds. Tests override it instead of sleeping.
 *
 * The `clockOffsetMs` option (a testing aid, never for production) shifts it by that many
 * milliseconds, so that the fault suite can run one real instance whose clock jumped (issue 13: a +31 days jump on
 * one instance must not delete the live families of the shared database).
 */
@Injectable()
export class Clock {
  private readonly offset: number;

  constructor(@Optional() @Inject(runtimeConfig.KEY) runtime?: RuntimeConfig) {
    this.offset = runtime?.clockOffsetMs ?? 0;
  }

  now(): number {
    return Date.now() + this.offset;
  }
}

