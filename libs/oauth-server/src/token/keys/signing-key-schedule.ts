import { ConfigurationError } from '../../config/configuration-error';

/** How often every instance re-reads the key set (and the scheduled step runs), in ms. */
export const KEY_RELOAD_INTERVAL_MS = 5_000;
/** Slack for clock skew between instances and resource servers, and for a late reload. */
export const KEY_TIMING_MARGIN_MS = 60_000;

/** The lifecycle instants of a key: all the schedule needs to know about it. */
export interface KeyTimes {
  kid: string;
  alg: string;
  generation: number;
  activatesAt: number;
  retiredAt: number | null;
  removeAfter: number | null;
}

export interface ScheduledStep {
  /** A key to add: active at once only when nothing could sign; otherwise pending first. */
  create: { alg: string; activatesAt: number } | null;
  /** Keys superseded by a newer active key: they stop signing and stay published for `retention`. */
  retire: string[];
}

export interface ScheduleSettings {
  /** Seconds; 0 = no automatic rotation. */
  rotationInterval: number;
  /** Seconds resource servers may cache the JWKS (its Cache-Control max-age). */
  jwksMaxAge: number;
  /** Seconds an access token lives. */
  accessTokenTtl: number;
}

/**
 * The rotation policy, written once and free of I/O, so every instance computes the same answer
 * from the same rows and a restart in the middle of a rotation simply carries on from the rows.
 *
 * - propagation (pending → active) = JWKS max-age + reload interval + margin: a resource server
 *   that fetched the JWKS just before the key appeared has refetched before the key signs, and
 *   every instance has loaded the key (so none signs with a key the JWKS does not list);
 * - retention (retired → removed) = access-token TTL + reload interval + margin: every token the
 *   key signed (including on an instance that switched a reload late) has expired.
 */
export class SigningKeySchedule {
  readonly propagationMs: number;
  readonly retentionMs: number;
  readonly rotationIntervalMs: number;

  constructor(settings: ScheduleSettings) {
    this.propagationMs = settings.jwksMaxAge * 1000 + KEY_RELOAD_INTERVAL_MS + KEY_TIMING_MARGIN_MS;
    this.retentionMs = settings.accessTokenTtl * 1000 + KEY_RELOAD_INTERVAL_MS + KEY_TIMING_MARGIN_MS;
    this.rotationIntervalMs = settings.rotationInterval * 1000;
    if (this.rotationIntervalMs > 0 && this.rotationIntervalMs < this.propagationMs) {
      throw new ConfigurationError(
        `Invalid configuration: SIGNING_KEY_ROTATION_INTERVAL must be 0 or at least ${Math.ceil(this.propagationMs / 1000)} seconds (JWKS_MAX_AGE + ${(KEY_RELOAD_INTERVAL_MS + KEY_TIMING_MARGIN_MS) / 1000})`,
      );
    }
  }

  /** Out of the JWKS and of verification once `remove_after` has passed. */
  static isPublished(key: KeyTimes, now: number): boolean {
    return key.removeAfter === null || key.removeAfter > now;
  }

  static canSign(key: KeyTimes, now: number): boolean {
    return key.retiredAt === null && key.activatesAt <= now && SigningKeySchedule.isPublished(key, now);
  }

  /**
   * The key that signs at `now`: the most recently activated live key of the configured algorithm,
   * else (during an algorithm change, while the new key is pending) the most recent of any. Chosen
   * by instant, not by whoever reloaded last, so every instance switches at the same moment.
   */
  static signingKey<K extends KeyTimes>(keys: K[], alg: string, now: number): K | null {
    const live = keys.filter((key) => SigningKeySchedule.canSign(key, now));
    const newest = (candidates: K[]) =>
      candidates.reduce<K | null>((best, key) => (!best || key.activatesAt > best.activatesAt || (key.activatesAt === best.activatesAt && key.generation > best.generation) ? key : best), null);
    return newest(live.filter((key) => key.alg === alg)) ?? newest(live);
  }

  /**
   * When no key can sign at `now` by this instance's clock (e.g. another instance retired the old
   * key by a clock that runs ahead): a pending key, already in every JWKS, the one activating first,
   * of the configured algorithm if there is one. A retired key is never used again.
   */
  static fallbackKey<K extends KeyTimes>(keys: K[], alg: string, now: number): K | null {
    const pending = keys.filter((key) => key.retiredAt === null && SigningKeySchedule.isPublished(key, now) && key.activatesAt > now);
    const first = (candidates: K[]) => candidates.reduce<K | null>((best, key) => (!best || key.activatesAt < best.activatesAt ? key : best), null);
    return first(pending.filter((key) => key.alg === alg)) ?? first(pending);
  }

  static pending<K extends KeyTimes>(keys: K[], alg: string, now: number): K | null {
    return keys.find((key) => key.alg === alg && key.retiredAt === null && key.activatesAt > now) ?? null;
  }

  /**
   * What the scheduled step does at `now`, besides deleting the rows past `remove_after`.
   * Idempotent: applying it and asking again yields nothing new.
   */
  step(keys: KeyTimes[], alg: string, now: number): ScheduledStep {
    const signing = SigningKeySchedule.signingKey(keys, alg, now);
    // A superseded key is retired only once its successor has signed for KEY_TIMING_MARGIN_MS: an
    // instance whose clock (or last reload) lags a little must still find a key that can sign,
    // rather than the old one retired and the new one not yet active by its clock.
    const settled = signing !== null && signing.activatesAt + KEY_TIMING_MARGIN_MS <= now;
    return {
      create: this.toCreate(keys, signing, alg, now),
      retire: settled ? keys.filter((key) => key !== signing && SigningKeySchedule.canSign(key, now)).map((key) => key.kid) : [],
    };
  }

  private toCreate(keys: KeyTimes[], signing: KeyTimes | null, alg: string, now: number): ScheduledStep['create'] {
    // Nothing can sign (first start, or every key retired by hand): there is nothing to keep
    // working, so the new key signs at once.
    if (!signing) return { alg, activatesAt: now };
    if (SigningKeySchedule.pending(keys, alg, now)) return null;
    // An algorithm change is a rotation: the new algorithm's key is published before it signs.
    if (signing.alg !== alg) return { alg, activatesAt: now + this.propagationMs };
    if (this.rotationIntervalMs === 0) return null;
    const switchAt = signing.activatesAt + this.rotationIntervalMs;
    if (now < switchAt - this.propagationMs) return null;
    return { alg, activatesAt: Math.max(switchAt, now + this.propagationMs) };
  }

  /** A manual rotation: a pending key that signs after the propagation delay. */
  manualRotation(alg: string, now: number): { alg: string; activatesAt: number } {
    return { alg, activatesAt: now + this.propagationMs };
  }
}
