import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock';
import { DatabaseService } from '../../database/database.service';
import { KeyEncryption } from '../keys/key-encryption.service';
import { ServerSecretEntity } from './server-secret.entity';

const KEY_NAME = 'refresh_token_derivation';

/**
 * The HMAC key from which each successor refresh token is derived (see refresh-token-factory).
 * It lives in the database, created on first start, so that every instance derives the same
 * successor: an instance with a different key would turn a legitimate retry into "reuse" and
 * revoke the family. With KEY_ENCRYPTION_KEY set it is stored sealed (KeyEncryption), like the
 * signing keys, so a database dump alone does not yield it.
 */
@Injectable()
export class RefreshTokenDerivationKey implements OnModuleInit {
  private key: Buffer;

  constructor(
    private readonly database: DatabaseService,
    private readonly encryption: KeyEncryption,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = (await this.load()) ?? (await this.create());
  }

  get(): Buffer {
    return this.key;
  }

  /** Re-seals the stored key under the current KEK (keys:rewrap); returns 1 when it changed. */
  async rewrap(): Promise<number> {
    const row = await this.row();
    if (!row || !this.encryption.needsRewrap(row.secret)) return 0;
    const sealed = this.encryption.seal(this.open(row.secret), aad());
    // Conditional on the old value, like the signing keys: a concurrent rewrap is not overwritten.
    return this.database.sqlRun((sql) => sql.run('UPDATE server_secrets SET secret = $1 WHERE name = $2 AND secret = $3', [sealed, KEY_NAME, row.secret]));
  }

  /** Whether the stored key is sealed with the current KEK (for keys:list). */
  async kekId(): Promise<string | null> {
    const row = await this.row();
    return row ? KeyEncryption.kekIdOf(row.secret) : null;
  }

  private row(): Promise<ServerSecretEntity | null> {
    return this.database.run((manager) => manager.findOneBy(ServerSecretEntity, { name: KEY_NAME }));
  }

  private open(stored: string): string {
    return this.encryption.open(stored, aad(), 'the refresh-token derivation key');
  }

  private async load(): Promise<Buffer | null> {
    const row = await this.row();
    return row ? Buffer.from(this.open(row.secret), 'base64url') : null;
  }

  /** Instances starting together may race: the primary key lets one insert win, all read it back. */
  private async create(): Promise<Buffer> {
    const candidate = Object.assign(new ServerSecretEntity(), {
      name: KEY_NAME,
      secret: this.encryption.seal(randomBytes(32).toString('base64url'), aad()),
      createdAt: this.clock.now(),
    });
    await this.database.run((manager) => manager.insert(ServerSecretEntity, candidate)).catch(() => undefined);
    const stored = await this.load();
    if (!stored) throw new Error('refresh token derivation key could not be created');
    return stored;
  }
}

/** The row the key is sealed for, as associated data. */
function aad(): string {
  return `server_secrets:${KEY_NAME}`;
}
