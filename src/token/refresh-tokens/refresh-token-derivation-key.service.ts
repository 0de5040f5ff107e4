import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock';
import { DatabaseService } from '../../database/database.service';
import { ServerSecretEntity } from './server-secret.entity';

const KEY_NAME = 'refresh_token_derivation';

/**
 * The HMAC key from which each successor refresh token is derived (see refresh-token-factory).
 * It lives in the database, created on first start, so that every instance derives the same
 * successor: an instance with a different key would turn a legitimate retry into "reuse" and
 * revoke the family. Whoever reads the database already holds the signing keys, so keeping this
 * key there adds no new exposure.
 */
@Injectable()
export class RefreshTokenDerivationKey implements OnModuleInit {
  private key: Buffer;

  constructor(
    private readonly database: DatabaseService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = (await this.load()) ?? (await this.create());
  }

  get(): Buffer {
    return this.key;
  }

  private async load(): Promise<Buffer | null> {
    const row = await this.database.run((manager) => manager.findOneBy(ServerSecretEntity, { name: KEY_NAME }));
    return row ? Buffer.from(row.secret, 'base64url') : null;
  }

  /** Instances starting together may race: the primary key lets one insert win, all read it back. */
  private async create(): Promise<Buffer> {
    const candidate = Object.assign(new ServerSecretEntity(), {
      name: KEY_NAME,
      secret: randomBytes(32).toString('base64url'),
      createdAt: this.clock.now(),
    });
    await this.database.run((manager) => manager.insert(ServerSecretEntity, candidate)).catch(() => undefined);
    const stored = await this.load();
    if (!stored) throw new Error('refresh token derivation key could not be created');
    return stored;
  }
}
