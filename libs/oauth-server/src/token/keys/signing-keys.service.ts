import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { Clock } from '../../common/clock';
import { keysConfig, KeysConfig } from '../../config/keys.config';
import { tokenConfig, TokenConfig } from '../../config/token.config';
import { DatabaseService } from '../../database/database.service';
import { OAuthError } from '../../oauth/oauth-error';
import { DatabaseClock } from './database-clock.service';
import { KeyEncryption } from './key-encryption.service';
import { SigningKeyEntity } from './signing-key.entity';
import { KEY_RELOAD_INTERVAL_MS, SigningKeySchedule } from './signing-key-schedule';

export interface ActiveSigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
}

export type SigningKeyState = 'pending' | 'active' | 'retired' | 'removed';

/** What keys:list and the admin API show: never key material. */
export interface SigningKeyView {
  kid: string;
  alg: string;
  state: SigningKeyState;
  signing: boolean;
  created_at: string;
  activates_at: string;
  retired_at: string | null;
  remove_after: string | null;
  /** Fingerprint of the key-encryption key the private key is sealed with; null = plaintext. */
  kek_id: string | null;
}

/**
 * The signing keys, shared by every instance through the database. Each instance holds the whole
 * published set in memory, re-read every KEY_RELOAD_INTERVAL_MS (SigningKeyScheduler), and picks
 * the signing key by instant (SigningKeySchedule.signingKey), so all instances switch together and
 * a pending key, loaded long before it activates, is in every instance's JWKS before it signs.
 *
 * When several instances start at once on an empty table, each tries to insert generation 1 of
 * the algorithm; the unique (alg, generation) index lets exactly one insert land, the others are
 * ignored, and every instance reads back the same key.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  readonly schedule: SigningKeySchedule;
  private keys: SigningKeyEntity[] = [];
  /** Public keys of `keys` by kid, imported once per reload, not on every verification. */
  private publicKeys = new Map<string, { key: KeyObject; alg: string }>();
  /** Opened private keys by kid, so a reload does not decrypt again. */
  private privateKeys = new Map<string, KeyObject>();
  /** Retired keys checked once (with a KEK) so that a reload does not decrypt them again. */
  private readonly openedRetired = new Map<string, KeyObject>();
  private loadedAt = 0;
  private readonly maxClockSkewMs: number;
  /** Whether the last schedule-clock check found this instance's clock off (logged on change only). */
  private skewed = false;

  constructor(
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
    @Inject(keysConfig.KEY) keys: KeysConfig,
    private readonly database: DatabaseService,
    private readonly encryption: KeyEncryption,
    private readonly clock: Clock,
    private readonly databaseClock: DatabaseClock,
  ) {
    this.maxClockSkewMs = keys.maxClockSkew * 1000;
    this.schedule = new SigningKeySchedule({ rotationInterval: keys.rotationInterval, jwksMaxAge: keys.jwksMaxAge, accessTokenTtl: config.accessTokenTtl });
    if (keys.production && !encryption.enabled) {
      // Every boot, not once: a plaintext key in a production database is a standing risk.
      this.logger.warn('KEY_ENCRYPTION_KEY is not set: signing keys and the refresh-token derivation key are stored in plaintext (see docs/production.md)');
    }
  }

  async onModuleInit(): Promise<void> {
    const alg = this.config.signingAlgorithm;
    // The generation is read BEFORE looking for a key: every instance that then finds none
    // computed the same generation, so the unique (alg, generation) index lets exactly one insert
    // land. Read after, a slower instance could number its key after a faster one's and add a second.
    const generation = await this.nextGeneration(alg);
    await this.reload(true);
    // First start (nothing can sign) or an algorithm change (no key of the configured algorithm)
    // cannot wait for the first scheduled step; a rotation that has come due can (the scheduler).
    const local = this.clock.now();
    const signing = SigningKeySchedule.signingKey(this.keys, alg, local);
    // Nothing can sign: the first key signs at once, from the earlier of the two clocks so that it
    // is active on this instance and on those that follow the database clock. An algorithm change
    // is a scheduled step, by the database clock (skipped, with an error, when this clock is off).
    const now = !signing ? await this.earliestNow() : signing.alg !== alg ? await this.scheduleClock() : undefined;
    const create = now === undefined ? null : this.schedule.step(this.keys, alg, now).create;
    if (create && now !== undefined && (!signing || signing.alg !== alg)) {
      const kid = await this.createKey(create.alg, create.activatesAt, generation);
      await this.reload(true);
      if (this.keys.some((key) => key.kid === kid)) this.logger.log(`created ${alg} signing key ${kid}, signing from ${iso(create.activatesAt)}`);
    }
    const plaintext = this.keys.filter((key) => this.encryption.needsRewrap(key.privateKey)).length;
    if (plaintext > 0) this.logger.warn(`${plaintext} signing key(s) are not sealed with the current KEY_ENCRYPTION_KEY: run keys:rewrap`);
    else if (this.encryption.enabled && this.encryption.allowsPlaintext) {
      this.logger.warn('KEY_ENCRYPTION_ALLOW_PLAINTEXT=true but every signing key is sealed: unset it, plaintext keys are then refused');
    }
  }

  /**
   * The key to sign with now. When none is active by this instance's clock (another instance's
   * clock retired the old key early, or a hand retirement left only a pending key), a published
   * pending key signs rather than the request failing: it is in every JWKS already. When no usable
   * key is left at all, the request is answered 503 temporarily_unavailable (nothing committed), never 500.
   */
  signingKey(): ActiveSigningKey {
    const usable = this.keys.filter((candidate) => this.privateKeys.has(candidate.kid));
    const now = this.clock.now();
    const alg = this.config.signingAlgorithm;
    const key = SigningKeySchedule.signingKey(usable, alg, now) ?? SigningKeySchedule.fallbackKey(usable, alg, now);
    if (!key) {
      this.logger.error('no signing key can sign: token issuance answers 503 until one is active (keys:list, keys:rotate)');
      throw OAuthError.temporarilyUnavailable('no signing key can sign');
    }
    return { kid: key.kid, alg: key.alg, privateKey: this.privateKeys.get(key.kid)! };
  }

  /**
   * "Now" for scheduled steps: the database's clock, shared by every instance, so that one instance
   * whose clock runs ahead cannot create and retire keys early for all (review H1). Beyond
   * SIGNING_KEY_MAX_CLOCK_SKEW between the clocks this instance's view of the schedule is not to be
   * trusted: undefined, and it takes no part in the schedule (logged when that starts and ends).
   * SIGNING_KEY_MAX_CLOCK_SKEW=0: this instance's clock, unchecked.
   */
  async scheduleClock(): Promise<number | undefined> {
    const local = this.clock.now();
    if (this.maxClockSkewMs === 0) return local;
    const database = await this.databaseClock.now();
    const skewed = Math.abs(local - database) > this.maxClockSkewMs;
    if (skewed !== this.skewed) {
      if (skewed) {
        this.logger.error(
          `signing-key schedule refused on this instance: its clock is ${Math.round((local - database) / 1000)} s off the database's (SIGNING_KEY_MAX_CLOCK_SKEW=${this.maxClockSkewMs / 1000}); fix the clock (NTP)`,
        );
      } else {
        this.logger.log('signing-key schedule resumed on this instance: its clock agrees with the database again');
      }
    }
    this.skewed = skewed;
    return skewed ? undefined : database;
  }

  /** The earlier of this instance's and the database's clock: an instant that has passed for both. */
  private async earliestNow(): Promise<number> {
    const local = this.clock.now();
    return this.maxClockSkewMs === 0 ? local : Math.min(local, await this.databaseClock.now());
  }

  /** Pending, active and retired keys: everything a resource server may meet (RFC 7517 §5). */
  async publicJwks(): Promise<{ keys: Record<string, string>[] }> {
    if (this.clock.now() - this.loadedAt > KEY_RELOAD_INTERVAL_MS) await this.reload();
    const now = this.clock.now();
    return {
      keys: this.keys.filter((key) => SigningKeySchedule.isPublished(key, now)).map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' })),
    };
  }

  /** The public key for a `kid` while it is published, re-reading once when another instance may have added it. */
  async publicKey(kid: string): Promise<{ key: KeyObject; alg: string } | null> {
    const stale = this.clock.now() - this.loadedAt;
    if (stale > KEY_RELOAD_INTERVAL_MS || (!this.publicKeys.has(kid) && stale > 1000)) await this.reload();
    const row = this.keys.find((key) => key.kid === kid);
    if (!row || !SigningKeySchedule.isPublished(row, this.clock.now())) return null;
    return this.publicKeys.get(kid) ?? null;
  }

  async list(): Promise<SigningKeyView[]> {
    await this.reload();
    const now = this.clock.now();
    const signing = SigningKeySchedule.signingKey(this.keys, this.config.signingAlgorithm, now);
    return this.keys.map((key) => ({
      kid: key.kid,
      alg: key.alg,
      state: stateOf(key, now),
      signing: key === signing,
      created_at: iso(key.createdAt)!,
      activates_at: iso(key.activatesAt)!,
      retired_at: iso(key.retiredAt),
      remove_after: iso(key.removeAfter),
      kek_id: KeyEncryption.kekIdOf(key.privateKey),
    }));
  }

  /**
   * A manual rotation: a pending key of the configured algorithm, signing after the propagation
   * delay. When one is already pending, that one is the answer (a repeated command adds nothing).
   */
  async rotate(): Promise<SigningKeyView> {
    await this.reload();
    const alg = this.config.signingAlgorithm;
    const now = this.clock.now();
    let pending = SigningKeySchedule.pending(this.keys, alg, now);
    if (!pending) {
      const create = this.schedule.manualRotation(alg, now);
      await this.createKey(create.alg, create.activatesAt, await this.nextGeneration(alg));
      await this.reload();
      pending = SigningKeySchedule.pending(this.keys, alg, now);
    }
    return (await this.list()).find((view) => view.kid === pending?.kid)!;
  }

  /**
   * Emergency retirement: the key leaves the JWKS now and every token it signed fails verification
   * (introspection answers inactive, RFC 7662 §2.2). If it was signing, a pending key (already
   * published) takes over at once, or else a new key signs at once: resource servers that cached
   * the JWKS then refetch on the unknown kid, which is the price of an emergency.
   * Returns null when no published key has that kid.
   */
  async retire(kid: string): Promise<{ retired: SigningKeyView; signing: SigningKeyView } | null> {
    await this.reload();
    const now = this.clock.now();
    const target = this.keys.find((key) => key.kid === kid && SigningKeySchedule.isPublished(key, now));
    if (!target) return null;
    const before = (await this.list()).find((view) => view.kid === kid)!;
    // The earlier clock: from an instance running fast, remove_after = its now would keep the key
    // published (and accepted) on the others until their clocks caught up.
    const removeAt = await this.earliestNow();
    await this.database.sqlRun((sql) =>
      sql.run('UPDATE signing_keys SET retired_at = COALESCE(retired_at, $1), remove_after = $1 WHERE kid = $2', [Math.min(now, removeAt), kid]),
    );
    await this.reload();
    const alg = this.config.signingAlgorithm;
    if (!SigningKeySchedule.signingKey(this.keys, alg, now)) {
      const pending = SigningKeySchedule.pending(this.keys, alg, now);
      if (pending) {
        await this.database.sqlRun((sql) => sql.run('UPDATE signing_keys SET activates_at = $1 WHERE kid = $2 AND retired_at IS NULL', [now, pending.kid]));
      } else {
        await this.createKey(alg, now, await this.nextGeneration(alg));
      }
      await this.reload();
    }
    this.logger.warn(`signing key ${kid} retired by hand: its tokens are no longer accepted`);
    const views = await this.list();
    const retired: SigningKeyView = { ...before, state: 'removed', signing: false, retired_at: before.retired_at ?? iso(now), remove_after: iso(now) };
    return { retired, signing: views.find((view) => view.signing)! };
  }

  /**
   * One scheduled step (run by exactly one instance, under the lease): create, retire, remove.
   * `now` is the schedule clock (scheduleClock); without one this instance only re-reads the set.
   */
  async applyScheduledStep(now?: number): Promise<void> {
    await this.reload();
    now ??= await this.scheduleClock();
    if (now === undefined) return;
    const step = this.schedule.step(this.keys, this.config.signingAlgorithm, now);
    for (const kid of step.retire) {
      await this.database.sqlRun((sql) =>
        sql.run('UPDATE signing_keys SET retired_at = $1, remove_after = $2 WHERE kid = $3 AND retired_at IS NULL', [now, now + this.schedule.retentionMs, kid]),
      );
    }
    // Removed: every token the key signed has expired (the loaded set no longer holds these rows).
    const removed = await this.database.sqlRun((sql) => sql.run('DELETE FROM signing_keys WHERE remove_after <= $1', [now]));
    if (step.create) {
      const kid = await this.createKey(step.create.alg, step.create.activatesAt, await this.nextGeneration(step.create.alg));
      this.logger.log(`created ${step.create.alg} signing key ${kid}, signing from ${iso(step.create.activatesAt)}`);
    }
    if (step.retire.length + removed > 0 || step.create) await this.reload();
  }

  /** Re-seals every private key under the current KEK (keys:rewrap); returns how many changed. */
  async rewrap(): Promise<number> {
    const rows = await this.database.run((manager) => manager.find(SigningKeyEntity));
    let changed = 0;
    for (const row of rows) {
      if (!this.encryption.needsRewrap(row.privateKey)) continue;
      const sealed = this.encryption.seal(this.encryption.open(row.privateKey, aad(row.kid), `signing key ${row.kid}`), aad(row.kid));
      // Conditional on the old value: a concurrent rewrap or retirement is not overwritten.
      changed += await this.database.sqlRun((sql) =>
        sql.run('UPDATE signing_keys SET private_key = $1 WHERE kid = $2 AND private_key = $3', [sealed, row.kid, row.privateKey]),
      );
    }
    await this.reload();
    return changed;
  }

  /**
   * Re-reads the published set. `strict` (boot): a key that cannot be opened fails the start in one
   * line. Otherwise such a key (e.g. added by an instance with another KEK) is logged and not used.
   */
  async reload(strict = false): Promise<void> {
    const now = this.clock.now();
    const rows = await this.database.run((manager) =>
      manager
        .createQueryBuilder(SigningKeyEntity, 'k')
        .where('k.removeAfter IS NULL OR k.removeAfter > :now', { now })
        .orderBy('k.generation', 'ASC')
        .addOrderBy('k.kid', 'ASC')
        .getMany(),
    );
    const privateKeys = new Map<string, KeyObject>();
    const opened = new Set<string>();
    for (const row of rows) {
      const known = this.privateKeys.get(row.kid) ?? this.openedRetired.get(row.kid);
      if (known) {
        if (row.retiredAt === null) privateKeys.set(row.kid, known);
        opened.add(row.kid);
        continue;
      }
      // With a KEK a retired key is opened too: only a row whose private key opens (sealed with
      // our KEK, bound to its kid) and matches its public key is trusted for verification (review L4).
      if (row.retiredAt !== null && !this.encryption.enabled) continue;
      try {
        const privateKey = createPrivateKey(this.encryption.open(row.privateKey, aad(row.kid), `signing key ${row.kid}`));
        if (jwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>) !== jwkThumbprint(row.publicJwk)) {
          throw new Error(`signing key ${row.kid}: its public key is not the private key's`);
        }
        if (row.retiredAt === null) privateKeys.set(row.kid, privateKey);
        else this.openedRetired.set(row.kid, privateKey);
        opened.add(row.kid);
      } catch (error) {
        if (strict) throw error;
        this.logger.error(`signing key ${row.kid} is not usable here: ${(error as Error).message}`);
      }
    }
    // Without a KEK every published row verifies (as before); with one, only those that opened.
    const trusted = this.encryption.enabled ? rows.filter((row) => opened.has(row.kid)) : rows;
    this.keys = trusted;
    this.privateKeys = privateKeys;
    for (const kid of this.openedRetired.keys()) if (!opened.has(kid)) this.openedRetired.delete(kid);
    this.publicKeys = new Map(trusted.map((key) => [key.kid, { key: createPublicKey({ key: key.publicJwk, format: 'jwk' }), alg: key.alg }]));
    this.loadedAt = this.clock.now();
  }

  private async nextGeneration(alg: string): Promise<number> {
    // Removed keys keep no row; their generations may be reused, which the unique index allows.
    return ((await this.database.run((manager) => manager.maximum(SigningKeyEntity, 'generation', { alg }))) ?? 0) + 1;
  }

  private async createKey(alg: string, activatesAt: number, generation: number): Promise<string> {
    const { privateKey, publicKey } =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const kid = jwkThumbprint(publicJwk);
    const key = Object.assign(new SigningKeyEntity(), {
      kid,
      alg,
      privateKey: this.encryption.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), aad(kid)),
      publicJwk,
      generation,
      createdAt: this.clock.now(),
      activatesAt,
      retiredAt: null,
      removeAfter: null,
    });
    // INSERT OR IGNORE / ON CONFLICT DO NOTHING: when another instance won the race, ours is dropped.
    await this.database.run((manager) => manager.createQueryBuilder().insert().into(SigningKeyEntity).values(key).orIgnore().execute());
    return kid;
  }
}

/** The associated data a signing key is sealed with: its row, so a sealed key moved to another row fails. */
function aad(kid: string): string {
  return `signing_keys:${kid}`;
}

function stateOf(key: SigningKeyEntity, now: number): SigningKeyState {
  if (!SigningKeySchedule.isPublished(key, now)) return 'removed';
  if (key.retiredAt !== null) return 'retired';
  return key.activatesAt > now ? 'pending' : 'active';
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order. */
export function jwkThumbprint(jwk: Record<string, string>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
