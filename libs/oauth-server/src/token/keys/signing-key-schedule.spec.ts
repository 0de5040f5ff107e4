import 'reflect-metadata';
import { KEY_TIMING_MARGIN_MS, KeyTimes, SigningKeySchedule } from './signing-key-schedule';

const HOUR = 3_600_000;
const schedule = new SigningKeySchedule({ rotationInterval: 24 * 3600, jwksMaxAge: 300, accessTokenTtl: 900 });
const key = (kid: string, activatesAt: number, extra: Partial<KeyTimes> = {}): KeyTimes => ({
  kid,
  alg: 'ES256',
  generation: 1,
  activatesAt,
  retiredAt: null,
  removeAfter: null,
  ...extra,
});

describe('SigningKeySchedule', () => {
  it('derives propagation from the JWKS max-age and retention from the access-token lifetime', () => {
    expect(schedule.propagationMs).toBe((300 + 5 + 60) * 1000);
    expect(schedule.retentionMs).toBe((900 + 5 + 60) * 1000);
  });

  it('refuses a rotation interval shorter than the propagation delay (0 = off is fine)', () => {
    expect(() => new SigningKeySchedule({ rotationInterval: 100, jwksMaxAge: 300, accessTokenTtl: 900 })).toThrow(/SIGNING_KEY_ROTATION_INTERVAL must be 0 or at least 365 seconds/);
    expect(new SigningKeySchedule({ rotationInterval: 0, jwksMaxAge: 300, accessTokenTtl: 900 }).rotationIntervalMs).toBe(0);
  });

  it('first start: a key that signs at once', () => {
    expect(schedule.step([], 'ES256', 0)).toEqual({ create: { alg: 'ES256', activatesAt: 0 }, retire: [] });
  });

  it('a due rotation creates a pending key that switches exactly one interval after the last switch', () => {
    const keys = [key('a', 0)];
    expect(schedule.step(keys, 'ES256', 24 * HOUR - schedule.propagationMs - 1).create).toBeNull();
    expect(schedule.step(keys, 'ES256', 24 * HOUR - schedule.propagationMs).create).toEqual({ alg: 'ES256', activatesAt: 24 * HOUR });
    // Late (the service was down): still a full propagation delay.
    expect(schedule.step(keys, 'ES256', 30 * HOUR).create).toEqual({ alg: 'ES256', activatesAt: 30 * HOUR + schedule.propagationMs });
  });

  it('a pending key is published, does not sign, and nothing more is created meanwhile', () => {
    const keys = [key('a', 0), key('b', 24 * HOUR, { generation: 2 })];
    const now = 24 * HOUR - 1000;
    expect(SigningKeySchedule.signingKey(keys, 'ES256', now)?.kid).toBe('a');
    expect(SigningKeySchedule.isPublished(keys[1], now)).toBe(true);
    expect(schedule.step(keys, 'ES256', now)).toEqual({ create: null, retire: [] });
  });

  it('at the switch the new key signs; the old one is retired once the new one has signed for the margin', () => {
    const keys = [key('a', 0), key('b', 24 * HOUR, { generation: 2 })];
    expect(SigningKeySchedule.signingKey(keys, 'ES256', 24 * HOUR)?.kid).toBe('b');
    // Review H1: retired at the switch, an instance a moment behind had no key that could sign.
    expect(schedule.step(keys, 'ES256', 24 * HOUR)).toEqual({ create: null, retire: [] });
    expect(schedule.step(keys, 'ES256', 24 * HOUR + KEY_TIMING_MARGIN_MS - 1).retire).toEqual([]);
    expect(schedule.step(keys, 'ES256', 24 * HOUR + KEY_TIMING_MARGIN_MS)).toEqual({ create: null, retire: ['a'] });
  });

  it('fallback signer: a published pending key, else null (never a retired one)', () => {
    const pending = key('b', 24 * HOUR, { generation: 2 });
    const retired = key('a', 0, { retiredAt: 10, removeAfter: 48 * HOUR });
    expect(SigningKeySchedule.fallbackKey([retired, pending], 'ES256', HOUR)?.kid).toBe('b');
    expect(SigningKeySchedule.fallbackKey([retired], 'ES256', HOUR)).toBeNull();
  });

  it('a retired key stays published until remove_after, then is neither published nor signing', () => {
    const retired = key('a', 0, { retiredAt: 10, removeAfter: 20 });
    expect(SigningKeySchedule.isPublished(retired, 19)).toBe(true);
    expect(SigningKeySchedule.canSign(retired, 15)).toBe(false);
    expect(SigningKeySchedule.isPublished(retired, 20)).toBe(false);
  });

  it('an algorithm change: the old algorithm signs while the new key is pending', () => {
    const keys = [key('rsa', 0, { alg: 'RS256' })];
    expect(schedule.step(keys, 'ES256', HOUR).create).toEqual({ alg: 'ES256', activatesAt: HOUR + schedule.propagationMs });
    const withPending = [...keys, key('ec', HOUR + schedule.propagationMs)];
    expect(SigningKeySchedule.signingKey(withPending, 'ES256', HOUR + 1)?.kid).toBe('rsa');
    expect(SigningKeySchedule.signingKey(withPending, 'ES256', HOUR + schedule.propagationMs)?.kid).toBe('ec');
    expect(schedule.step(withPending, 'ES256', HOUR + schedule.propagationMs + KEY_TIMING_MARGIN_MS).retire).toEqual(['rsa']);
  });

  it('with rotation off, no key is created once one signs', () => {
    const off = new SigningKeySchedule({ rotationInterval: 0, jwksMaxAge: 300, accessTokenTtl: 900 });
    expect(off.step([key('a', 0)], 'ES256', 1000 * HOUR).create).toBeNull();
  });
});
