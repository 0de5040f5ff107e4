import { Injectable } from '@nestjs/common';
import { KeyEncryption } from './key-encryption.service';
import { KeyEncryptionError } from './key-encryption-error';
import { RefreshTokenDerivationKey } from '../refresh-tokens/refresh-token-derivation-key.service';
import { SigningKeysService, SigningKeyView } from './signing-keys.service';

export interface KeysListing {
  signing_keys: SigningKeyView[];
  /** Seconds: pending → active, and retired → removed (derived from JWKS_MAX_AGE and ACCESS_TOKEN_TTL). */
  propagation_seconds: number;
  retention_seconds: number;
  rotation_interval_seconds: number;
  /** Fingerprint of KEY_ENCRYPTION_KEY, null when keys are stored in plaintext. */
  kek_id: string | null;
  derivation_key_kek_id: string | null;
}

/** The key operations of the CLI (keys:*) and the admin API (/admin/signing-keys), written once. */
@Injectable()
export class KeysAdmin {
  constructor(
    private readonly signingKeys: SigningKeysService,
    private readonly derivationKey: RefreshTokenDerivationKey,
    private readonly encryption: KeyEncryption,
  ) {}

  async list(): Promise<KeysListing> {
    const schedule = this.signingKeys.schedule;
    return {
      signing_keys: await this.signingKeys.list(),
      propagation_seconds: schedule.propagationMs / 1000,
      retention_seconds: schedule.retentionMs / 1000,
      rotation_interval_seconds: schedule.rotationIntervalMs / 1000,
      kek_id: this.encryption.currentKekId,
      derivation_key_kek_id: await this.derivationKey.kekId(),
    };
  }

  rotate(): Promise<SigningKeyView> {
    return this.signingKeys.rotate();
  }

  retire(kid: string): ReturnType<SigningKeysService['retire']> {
    return this.signingKeys.retire(kid);
  }

  /**
   * Moves every stored key to KEY_ENCRYPTION_KEY (from plaintext or KEY_ENCRYPTION_KEY_PREVIOUS).
   * Instances configured with both keys read either form, so this runs while they serve.
   */
  async rewrap(): Promise<{ kek_id: string; signing_keys: number; derivation_key: number }> {
    if (!this.encryption.enabled) throw new KeyEncryptionError('keys:rewrap needs KEY_ENCRYPTION_KEY (the key to move to)');
    return { kek_id: this.encryption.currentKekId!, signing_keys: await this.signingKeys.rewrap(), derivation_key: await this.derivationKey.rewrap() };
  }
}
