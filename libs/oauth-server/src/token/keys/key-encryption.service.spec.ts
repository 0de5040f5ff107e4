import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeysConfig } from '../../config/keys.config';
import { KeyEncryption, kekFingerprint } from './key-encryption.service';
import { KeyEncryptionError } from './key-encryption-error';

const encryption = (current?: Buffer, previous?: Buffer) =>
  new KeyEncryption({ keyEncryptionKey: current?.toString('base64'), keyEncryptionKeyPrevious: previous?.toString('base64') } as KeysConfig);

describe('KeyEncryption', () => {
  const kek = randomBytes(32);
  const secret = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';

  it('seals into an envelope naming the KEK by fingerprint, and opens it again', () => {
    const sealed = encryption(kek).seal(secret, 'signing_keys:k1');
    expect(sealed).toMatch(new RegExp(`^kek1\\.${kekFingerprint(kek)}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain('PRIVATE');
    expect(encryption(kek).open(sealed, 'signing_keys:k1', 'key k1')).toBe(secret);
    // A fresh data key and IV every time.
    expect(encryption(kek).seal(secret, 'signing_keys:k1')).not.toBe(sealed);
  });

  it('binds the row id: a sealed value copied to another row does not open', () => {
    const sealed = encryption(kek).seal(secret, 'signing_keys:k1');
    expect(() => encryption(kek).open(sealed, 'signing_keys:k2', 'key k2')).toThrow(KeyEncryptionError);
    expect(() => encryption(kek).open(sealed, 'signing_keys:k2', 'key k2')).toThrow(/could not be decrypted/);
  });

  it('a tampered ciphertext does not open', () => {
    const sealed = encryption(kek).seal(secret, 'id');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[body.length - 1] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => encryption(kek).open(parts.join('.'), 'id', 'key')).toThrow(/could not be decrypted/);
  });

  it('names a missing or wrong KEK in one line', () => {
    const sealed = encryption(kek).seal(secret, 'id');
    expect(() => encryption().open(sealed, 'id', 'signing key k1')).toThrow(`signing key k1 is encrypted with key-encryption key ${kekFingerprint(kek)}, but KEY_ENCRYPTION_KEY is not set`);
    const other = randomBytes(32);
    expect(() => encryption(other).open(sealed, 'id', 'signing key k1')).toThrow(`but KEY_ENCRYPTION_KEY is ${kekFingerprint(other)} (wrong key-encryption key?)`);
  });

  it('during a KEK change the previous KEK still opens, and needsRewrap tells what is left', () => {
    const next = randomBytes(32);
    const old = encryption(kek).seal(secret, 'id');
    const moving = encryption(next, kek);
    expect(moving.open(old, 'id', 'key')).toBe(secret);
    expect(moving.needsRewrap(old)).toBe(true);
    expect(moving.needsRewrap(moving.seal(secret, 'id'))).toBe(false);
    expect(moving.needsRewrap('plaintext')).toBe(true);
  });

  it('without a KEK values stay as they are and plaintext reads; with one, plaintext only in the rewrap window (review L4)', () => {
    expect(encryption().seal(secret, 'id')).toBe(secret);
    expect(encryption().open(secret, 'id', 'key')).toBe(secret);
    expect(encryption().needsRewrap(secret)).toBe(false);
    expect(() => encryption(kek).open(secret, 'id', 'key k1')).toThrow(/^key k1 is stored in plaintext, but KEY_ENCRYPTION_KEY is set: refused/);
    const moving = new KeyEncryption({ keyEncryptionKey: kek.toString('base64'), allowPlaintext: true } as KeysConfig);
    expect(moving.open(secret, 'id', 'key')).toBe(secret);
  });

  it('reads a KEK from file:/path (base64 text or 32 raw bytes) and refuses anything but 256 bits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kek-unit-'));
    try {
      writeFileSync(join(dir, 'b64'), `${kek.toString('base64')}\n`);
      writeFileSync(join(dir, 'raw'), kek);
      for (const file of ['b64', 'raw']) {
        expect(new KeyEncryption({ keyEncryptionKey: `file:${join(dir, file)}` } as KeysConfig).currentKekId).toBe(kekFingerprint(kek));
      }
      expect(() => encryption(randomBytes(16))).toThrow('KEY_ENCRYPTION_KEY must be a 256-bit key');
      expect(() => new KeyEncryption({ keyEncryptionKey: 'not base64!' } as KeysConfig)).toThrow('KEY_ENCRYPTION_KEY must be a 256-bit key');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
