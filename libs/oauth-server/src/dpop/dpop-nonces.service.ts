import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock } from '../common/clock';
import { dpopConfig, DpopConfig } from '../config/dpop.config';
import { RefreshTokenDerivationKey } from '../token/refresh-tokens/refresh-token-derivation-key.service';

/**
 * RFC 9449 §8 server nonces, stateless: a nonce is an HMAC of a time step under a key every
 * instance shares, so any instance accepts what another handed out and nothing is stored. The key
 * is derived (with its own label) from the refresh-token derivation key that already lives in the
 * database for the same reason: one secret row, one purpose per derived key.
 */
@Injectable()
export class DpopNonces {
  private key?: Buffer;

  constructor(
    private readonly derivationKey: RefreshTokenDerivationKey,
    private readonly clock: Clock,
    @Inject(dpopConfig.KEY) private readonly config: DpopConfig,
  ) {}

  get required(): boolean {
    return this.config.nonceRequired;
  }

  /** The nonce of the current time step. */
  current(): string {
    return this.nonceOf(this.step());
  }

  /** Made in the current or the previous time step (so a nonce lives at least one full step). */
  isValid(nonce: unknown): boolean {
    if (typeof nonce !== 'string' || nonce.length !== 43) return false;
    const presented = Buffer.from(nonce);
    const step = this.step();
    return [step, step - 1].some((candidate) => timingSafeEqual(presented, Buffer.from(this.nonceOf(candidate))));
  }

  private step(): number {
    return Math.floor(this.clock.now() / 1000 / this.config.nonceStep);
  }

  private nonceOf(step: number): string {
    this.key ??= createHmac('sha256', this.derivationKey.get()).update('dpop nonce key v1').digest();
    return createHmac('sha256', this.key).update(String(step)).digest('base64url');
  }
}
