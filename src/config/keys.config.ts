import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** Signing-key lifecycle and encryption at rest. Durations in seconds, as in the environment. */
export const keysConfig = registerAs('keys', () => {
  const env = loadEnvironment();
  return {
    rotationInterval: env.SIGNING_KEY_ROTATION_INTERVAL,
    jwksMaxAge: env.JWKS_MAX_AGE,
    /** Raw config values (base64 or file:/path); parsed by KeyEncryption so a bad one fails in one line. */
    keyEncryptionKey: env.KEY_ENCRYPTION_KEY,
    keyEncryptionKeyPrevious: env.KEY_ENCRYPTION_KEY_PREVIOUS,
    /** Plaintext private keys accepted despite a KEK: only while keys:rewrap moves them. */
    allowPlaintext: env.KEY_ENCRYPTION_ALLOW_PLAINTEXT === 'true',
    /** Seconds; 0 = no check (the schedule runs by this instance's clock). */
    maxClockSkew: env.SIGNING_KEY_MAX_CLOCK_SKEW,
    production: process.env.NODE_ENV === 'production',
  };
});

export type KeysConfig = ConfigType<typeof keysConfig>;
