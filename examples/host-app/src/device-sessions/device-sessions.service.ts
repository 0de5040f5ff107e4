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

  create(input: Omit<DeviceSession, 'expiresAt'>): string {
    const secret = randomBytes(32).toString('base64url');
    this.sessions.set(hash(secret), { ...input, expiresAt: Date.now() + DEVICE_SESSION_TTL * 1000 });
    return secret;
  }

  /** The session, once: a second redemption, another client's or an expired one finds nothing. */
  consume(secret: string, clientId: string): DeviceSession | undefined {
    const key = hash(secret);
    const session = this.sessions.get(key);
    if (session === undefined || session.clientId !== clientId) return undefined;
    this.sessions.delete(key);
    return session.expiresAt > Date.now() ? session : undefined;
  }
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
