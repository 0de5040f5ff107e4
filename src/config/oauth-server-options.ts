import type { OAuthServerOptions } from 'nest-oauth-server';
import type { Environment } from './environment';

/** The library's options from the service's environment: the one place a variable meets an option. */
export function oauthServerOptions(env: Environment, source: NodeJS.ProcessEnv = process.env): OAuthServerOptions {
  return {
    // ISSUER is validated (and its trailing slash dropped) by loadEnvironment().
    issuer: env.ISSUER ?? `http://localhost:${env.PORT}`,
    accessToken: { ttl: env.ACCESS_TOKEN_TTL, algorithm: env.ACCESS_TOKEN_SIGNING_ALG, audience: env.ACCESS_TOKEN_AUDIENCE },
    refreshToken: {
      idleTtl: env.REFRESH_TOKEN_IDLE_TTL,
      absoluteTtl: env.REFRESH_TOKEN_ABSOLUTE_TTL,
      retryWindow: env.REFRESH_TOKEN_REUSE_INTERVAL,
      retryLimit: env.REFRESH_TOKEN_RETRY_LIMIT,
    },
    authorization: {
      loginUrl: env.LOGIN_URL,
      loginRequestTtl: env.LOGIN_REQUEST_TTL,
      codeTtl: env.AUTHORIZATION_CODE_TTL,
      parRequestTtl: env.PAR_REQUEST_TTL,
      parRequired: env.PAR_REQUIRED === 'true',
    },
    database: {
      url: env.DATABASE_URL,
      timeoutMs: env.DATABASE_TIMEOUT * 1000,
      sqliteSynchronous: env.SQLITE_SYNCHRONOUS,
      connectRetries: env.DATABASE_CONNECT_RETRIES,
      connectRetryDelayMs: env.DATABASE_CONNECT_RETRY_DELAY_MS,
      clientCacheMaxStalenessMs: env.CLIENT_CACHE_MAX_STALENESS_MS,
    },
    // On by default in the service (RATE_LIMIT_ENABLED), off by default in the library.
    rateLimit:
      env.RATE_LIMIT_ENABLED === 'true' && {
        window: env.RATE_LIMIT_WINDOW,
        perIp: env.RATE_LIMIT_PER_IP,
        perClient: env.RATE_LIMIT_PER_CLIENT,
        authorizePerIp: env.RATE_LIMIT_AUTHORIZE_PER_IP,
        authFailures: env.RATE_LIMIT_AUTH_FAILURES,
        authFailureBlock: env.RATE_LIMIT_AUTH_FAILURE_BLOCK,
        authFailureAlarm: env.RATE_LIMIT_AUTH_FAILURE_ALARM,
        adminAuthFailures: env.RATE_LIMIT_ADMIN_AUTH_FAILURES,
        redisUrl: env.REDIS_URL,
        redisPrefix: env.RATE_LIMIT_REDIS_PREFIX,
      },
    keys: {
      encryptionKey: env.KEY_ENCRYPTION_KEY,
      previousEncryptionKey: env.KEY_ENCRYPTION_KEY_PREVIOUS,
      allowPlaintext: env.KEY_ENCRYPTION_ALLOW_PLAINTEXT === 'true',
      rotationInterval: env.SIGNING_KEY_ROTATION_INTERVAL,
      jwksMaxAge: env.JWKS_MAX_AGE,
      maxClockSkew: env.SIGNING_KEY_MAX_CLOCK_SKEW,
    },
    dpop: {
      signingAlgorithms: env.DPOP_SIGNING_ALGS.split(',').map((alg) => alg.trim()),
      proofMaxAge: env.DPOP_PROOF_MAX_AGE,
      clockSkew: env.DPOP_CLOCK_SKEW,
      nonceRequired: env.DPOP_NONCE_REQUIRED === 'true',
    },
    retention: {
      interval: env.RETENTION_INTERVAL,
      revokedTtl: env.RETENTION_REVOKED_TTL,
      batchSize: env.RETENTION_BATCH_SIZE,
      maxBatches: env.RETENTION_MAX_BATCHES,
      maxClockSkew: env.RETENTION_MAX_CLOCK_SKEW,
    },
    production: source.NODE_ENV === 'production',
    clockOffsetMs: Number(source.CLOCK_OFFSET_MS ?? 0) || 0,
  };
}
