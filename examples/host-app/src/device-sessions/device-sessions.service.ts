import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';

export interface DeviceSession {
  subject: string;
  clientId: string;
  deviceName: string;
  expiresAt: number;
}

/** Seconds a paired device has to redeem its session. */
export const DEVICE_SESSION_TTL = 600;

/**
 * The host's own record of a paired device (say, a TV the user signed in on their phone): a
 * one-time secret the device redeems at the token endpoint. Kept in memory and by hash only; a real
 * application would use its database.
 */
@Injectable()
export class DeviceSessions {
  private readonly sessions = new Map<string, DeviceSession>();
  private readonly claimed = new Set<string>();

  create(input: Omit<DeviceSession, 'expiresAt'>): string {
    const secret = randomBytes(32).toString('base64url');
    this.sessions.set(hash(secret), { ...input, expiresAt: Date.now() + DEVICE_SESSION_TTL * 1000 });
    return secret;
  }

  /**
   * The session, held for one redemption: a second (concurrent) redemption, another client's or an
   * expired one finds nothing. It is spent by `spend` once the token family is committed, or given
   * back by `release` if the redemption failed, so a refused or retried request does not burn the pairing.
   */
  claim(secret: string, clientId: string): DeviceSession | undefined {
    const session = this.sessions.get(hash(secret));
    if (session === undefined || session.clientId !== clientId || this.claimed.has(hash(secret))) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(hash(secret));
      return undefined;
    }
    this.claimed.add(hash(secret));
    return session;
  }

  spend(secret: string): void {
    this.sessions.delete(hash(secret));
    this.claimed.delete(hash(secret));
  }

  /** A no-op once spent. */
  release(secret: string): void {
    this.claimed.delete(hash(secret));
  }
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
