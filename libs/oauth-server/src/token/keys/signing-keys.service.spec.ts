import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock';
import type { KeysConfig } from '../../config/keys.config';
import type { TokenConfig } from '../../config/token.config';
import type { DatabaseService } from '../../database/database.service';
import type { DatabaseClock } from './database-clock.service';
import { KeyEncryption } from './key-encryption.service';
import { SigningKeysService } from './signing-keys.service';

describe('SigningKeysService at boot', () => {
  const make = (production: boolean, kek?: string) => {
    const keys = { production, rotationInterval: 0, jwksMaxAge: 300, keyEncryptionKey: kek } as KeysConfig;
    return new SigningKeysService({ accessTokenTtl: 900, signingAlgorithm: 'ES256' } as TokenConfig, keys, {} as DatabaseService, new KeyEncryption(keys), new Clock(), {} as DatabaseClock);
  };
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('warns on every production boot without KEY_ENCRYPTION_KEY', () => {
    make(true);
    make(true);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^KEY_ENCRYPTION_KEY is not set: signing keys and the refresh-token derivation key are stored in plaintext/));
  });

  it('does not warn with a KEK, or outside production', () => {
    make(true, randomBytes(32).toString('base64'));
    make(false);
    expect(warn).not.toHaveBeenCalled();
  });
});
