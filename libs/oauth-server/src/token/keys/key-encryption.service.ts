import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { keysConfig, KeysConfig } from '../../config/keys.config';
import { KeyEncryptionError } from './key-encryption-error';

const PREFIX = 'kek1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Kek {
  id: string;
  key: Buffer;
}

/**
 * Envelope encryption of stored private keys (signing keys, the refresh-token derivation key) with
 * AES-256-GCM and node:crypto alone. Each value gets its own random data key; the data key is
 * wrapped by the key-encryption key (KEK), and both layers bind the row's id as associated data, so
 * a sealed value copied onto another row does not open. The envelope names the KEK by fingerprint
 * (never the key), which turns a wrong KEK into a clear message instead of a GCM failure.
 *
 *   kek1.<kek id>.<iv|tag|wrapped data key>.<iv|tag|ciphertext>   (base64url parts)
 *
 * Without KEY_ENCRYPTION_KEY values are stored as they are (plaintext), as before. With one, a
 * plaintext value is refused (review L4: anyone who can write the database could otherwise plant
 * a signing key of their own), except while KEY_ENCRYPTION_ALLOW_PLAINTEXT=true, the window in
 * which keys:rewrap moves an existing deployment's plaintext keys under the KEK.
 */
@Injectable()
export class KeyEncryption {
  private readonly current?: Kek;
  private readonly previous?: Kek;
  /** Plaintext values still read although a KEK is set (the keys:rewrap window). */
  readonly allowsPlaintext: boolean;

  constructor(@Inject(keysConfig.KEY) config: KeysConfig) {
    this.current = config.keyEncryptionKey ? parseKek(config.keyEncryptionKey, 'KEY_ENCRYPTION_KEY') : undefined;
    this.previous = config.keyEncryptionKeyPrevious ? parseKek(config.keyEncryptionKeyPrevious, 'KEY_ENCRYPTION_KEY_PREVIOUS') : undefined;
    this.allowsPlaintext = config.allowPlaintext === true;
    if (!this.current && this.previous) throw new KeyEncryptionError('KEY_ENCRYPTION_KEY_PREVIOUS needs KEY_ENCRYPTION_KEY (the key being moved to)');
  }

  get enabled(): boolean {
    return this.current !== undefined;
  }

  /** The fingerprint of the KEK new values are sealed with, or null when none is configured. */
  get currentKekId(): string | null {
    return this.current?.id ?? null;
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(`${PREFIX}.`);
  }

  /** The KEK fingerprint a stored value is sealed with; null for plaintext. */
  static kekIdOf(stored: string): string | null {
    return KeyEncryption.isSealed(stored) ? stored.split('.')[1] : null;
  }

  /** Seals `plaintext` for the row `id` under the current KEK (unchanged when there is none). */
  seal(plaintext: string, id: string): string {
    if (!this.current) return plaintext;
    const aad = Buffer.from(id, 'utf8');
    const dataKey = randomBytes(32);
    try {
      const wrapped = gcmEncrypt(this.current.key, dataKey, aad);
      const body = gcmEncrypt(dataKey, Buffer.from(plaintext, 'utf8'), aad);
      return [PREFIX, this.current.id, wrapped.toString('base64url'), body.toString('base64url')].join('.');
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Opens a stored value of row `id`. Plaintext passes through without a KEK; with one, only while
   * KEY_ENCRYPTION_ALLOW_PLAINTEXT is set (keys:rewrap), else it is refused.
   */
  open(stored: string, id: string, what: string): string {
    if (!KeyEncryption.isSealed(stored)) {
      if (this.current && !this.allowsPlaintext) {
        throw new KeyEncryptionError(
          `${what} is stored in plaintext, but KEY_ENCRYPTION_KEY is set: refused (a plaintext key may have been planted); to move existing plaintext keys set KEY_ENCRYPTION_ALLOW_PLAINTEXT=true while keys:rewrap runs`,
        );
      }
      return stored;
    }
    const [, kekId, wrapped, body] = stored.split('.');
    const kek = [this.current, this.previous].find((candidate) => candidate?.id === kekId);
    if (!kek) throw new KeyEncryptionError(`${what} is encrypted with key-encryption key ${kekId}, but ${this.describeConfigured()}`);
    const aad = Buffer.from(id, 'utf8');
    let dataKey: Buffer | undefined;
    try {
      dataKey = gcmDecrypt(kek.key, Buffer.from(wrapped, 'base64url'), aad);
      return gcmDecrypt(dataKey, Buffer.from(body, 'base64url'), aad).toString('utf8');
    } catch {
      throw new KeyEncryptionError(`${what} could not be decrypted with key-encryption key ${kekId} (altered, or copied from another row)`);
    } finally {
      dataKey?.fill(0);
    }
  }

  /** True when `stored` is not yet sealed under the current KEK (what keys:rewrap changes). */
  needsRewrap(stored: string): boolean {
    return this.current !== undefined && KeyEncryption.kekIdOf(stored) !== this.current.id;
  }

  private describeConfigured(): string {
    if (!this.current) return 'KEY_ENCRYPTION_KEY is not set';
    const previous = this.previous ? ` and KEY_ENCRYPTION_KEY_PREVIOUS is ${this.previous.id}` : '';
    return `KEY_ENCRYPTION_KEY is ${this.current.id}${previous} (wrong key-encryption key?)`;
  }
}

/** A KEK from config: base64 of 32 bytes, or `file:/path` holding that (or the 32 raw bytes). */
export function parseKek(value: string, name: string): Kek {
  let material: Buffer;
  if (value.startsWith('file:')) {
    let content: Buffer;
    try {
      content = readFileSync(value.slice('file:'.length));
    } catch (error) {
      throw new KeyEncryptionError(`${name}: cannot read ${value.slice('file:'.length)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    material = content.length === 32 ? content : decodeBase64(content.toString('utf8'));
  } else {
    material = decodeBase64(value);
  }
  if (material.length !== 32) throw new KeyEncryptionError(`${name} must be a 256-bit key: 32 bytes in base64 (openssl rand -base64 32) or file:/path`);
  return { id: kekFingerprint(material), key: material };
}

/** A short public name for a KEK: it tells keys apart, and says nothing about the key. */
export function kekFingerprint(key: Buffer): string {
  return createHash('sha256').update('oauth-server key-encryption key id\0').update(key).digest('base64url').slice(0, 16);
}

function decodeBase64(text: string): Buffer {
  const trimmed = text.trim();
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

function gcmDecrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
