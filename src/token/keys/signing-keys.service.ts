import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { tokenConfig, TokenConfig } from '../../config/token.config';
import { DatabaseService } from '../../database/database.service';
import { SigningKeyEntity } from './signing-key.entity';

export interface ActiveSigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
}

const RELOAD_INTERVAL_MS = 60_000;

/**
 * Creates the access-token signing key on first start and shares it through the database. When
 * several instances start at once, each tries to insert generation 1 of the algorithm; the unique
 * (alg, generation) index lets exactly one insert land, the others are ignored, and every instance
 * then reads back and signs with that same key (the lowest live generation) and publishes every
 * live key.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private keys: SigningKeyEntity[] = [];
  /** Public keys of `keys` by kid, imported once per reload, not on every verification. */
  private publicKeys = new Map<string, { key: KeyObject; alg: string }>();
  private active: ActiveSigningKey;
  private loadedAt = 0;

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly repository: Repository<SigningKeyEntity>,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
    private readonly database: DatabaseService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const alg = this.config.signingAlgorithm;
    // The generation is read BEFORE looking for a live key: every instance that then finds none
    // computed the same generation, so the unique (alg, generation) index lets exactly one insert
    // land. Read after, a slower instance could number its key after a faster one's and add a second.
    const generation = ((await this.repository.maximum('generation', { alg })) ?? 0) + 1;
    await this.reload();
    if (!this.keys.some((key) => key.alg === alg)) {
      const kid = await this.createKeyIfAbsent(alg, generation);
      await this.reload();
      if (this.active?.kid === kid) this.logger.log(`created ${this.config.signingAlgorithm} signing key ${kid}`);
    }
  }

  signingKey(): ActiveSigningKey {
    return this.active;
  }

  async publicJwks(): Promise<{ keys: Record<string, string>[] }> {
    if (this.clock.now() - this.loadedAt > RELOAD_INTERVAL_MS) await this.reload();
    return { keys: this.keys.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' })) };
  }

  /** The public key for a `kid`, re-reading the table once when another instance may have added it. */
  async publicKey(kid: string): Promise<{ key: KeyObject; alg: string } | null> {
    if (!this.publicKeys.has(kid) && this.clock.now() - this.loadedAt > 1000) await this.reload();
    return this.publicKeys.get(kid) ?? null;
  }

  private async reload(): Promise<void> {
    this.keys = await this.repository.find({ where: { retiredAt: IsNull() }, order: { generation: 'ASC', kid: 'ASC' } });
    this.publicKeys = new Map(this.keys.map((key) => [key.kid, { key: createPublicKey({ key: key.publicJwk, format: 'jwk' }), alg: key.alg }]));
    this.loadedAt = this.clock.now();
    const signing = this.keys.find((key) => key.alg === this.config.signingAlgorithm);
    if (signing && signing.kid !== this.active?.kid) {
      this.active = { kid: signing.kid, alg: signing.alg, privateKey: createPrivateKey(signing.privateKey) };
    }
  }

  private async createKeyIfAbsent(alg: string, generation: number): Promise<string> {
    const { privateKey, publicKey } =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const key = Object.assign(new SigningKeyEntity(), {
      kid: jwkThumbprint(publicJwk),
      alg,
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicJwk,
      // Retired keys keep their generation, so the next one is numbered after all of them.
      generation,
      createdAt: this.clock.now(),
      retiredAt: null,
    });
    // INSERT OR IGNORE / ON CONFLICT DO NOTHING: when another instance won the race, ours is dropped.
    await this.database.run((manager) => manager.createQueryBuilder().insert().into(SigningKeyEntity).values(key).orIgnore().execute());
    return key.kid;
  }
}

/** RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order. */
export function jwkThumbprint(jwk: Record<string, string>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
