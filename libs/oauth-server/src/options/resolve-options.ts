import { ConfigurationError } from '../config/configuration-error';
import type { OAuthServerOptions } from './oauth-server.options';

/** RFC 9449 §4.3: asymmetric algorithms only, a proof is verified with the key it carries. */
const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/**
 * The options with every default applied: the one place defaults live. Each internal settings
 * namespace (config/*.config.ts) is a slice of this.
 */
export function resolveOptions(options: OAuthServerOptions) {
  const issuer = resolveIssuer(options.issuer, options.production ?? true);
  const authorization = options.authorization || {};
  const rateLimit = options.rateLimit || undefined;
  // Secure by default: hardening applies unless the host says it is not production.
  const production = options.production ?? true;
  const dpopAlgorithms = [...new Set(options.dpop?.signingAlgorithms ?? ['ES256', 'EdDSA', 'RS256', 'PS256'])];
  const unknown = dpopAlgorithms.filter((alg) => !DPOP_ALGORITHMS.includes(alg));
  if (unknown.length > 0) throw new ConfigurationError(`dpop.signingAlgorithms: ${unknown.join(', ')} is not an asymmetric JWS algorithm (RFC 9449 §4.3)`);
  return {
    app: { issuer },
    token: {
      accessTokenTtl: options.accessToken?.ttl ?? 900,
      refreshTokenAbsoluteTtl: options.refreshToken?.absoluteTtl ?? 2592000,
      refreshTokenIdleTtl: options.refreshToken?.idleTtl ?? 1209600,
      refreshTokenReuseInterval: options.refreshToken?.retryWindow ?? 60,
      refreshTokenRetryLimit: options.refreshToken?.retryLimit ?? 3,
      signingAlgorithm: options.accessToken?.algorithm ?? 'ES256',
      audience: options.accessToken?.audience as string | undefined,
    },
    grants: {
      refreshToken: options.grants?.refreshToken ?? true,
      clientCredentials: options.grants?.clientCredentials ?? true,
      authorizationCode: options.grants?.authorizationCode ?? true,
    },
    database: {
      url: options.database?.url ?? 'sqlite:data/oauth.sqlite',
      dataSourceName: options.database?.dataSourceName,
      sqliteSynchronous: options.database?.sqliteSynchronous ?? 'FULL',
      connectRetries: options.database?.connectRetries ?? 10,
      connectRetryDelayMs: options.database?.connectRetryDelayMs ?? 3000,
      timeoutMs: Math.round(options.database?.timeoutMs ?? 5000),
      clientCacheMaxStalenessMs: resolveStaleness(options.database?.clientCacheMaxStalenessMs),
    },
    authorization: {
      loginUrl: authorization.loginUrl as string | undefined,
      loginRequestTtl: authorization.loginRequestTtl ?? 600,
      authorizationCodeTtl: authorization.codeTtl ?? 60,
      parRequestTtl: authorization.parRequestTtl ?? 60,
      parRequired: authorization.parRequired ?? false,
    },
    rateLimit: {
      /** Request-rate limits (per IP, per client): only when configured, a host may have its own. */
      enabled: rateLimit !== undefined,
      /**
       * The client and admin authentication-failure lockouts: always on (against secret guessing,
       * which no host-level request limit sees), in memory unless redisUrl; only `rateLimit: false` turns them off.
       */
      lockout: options.rateLimit !== false,
      window: rateLimit?.window ?? 60,
      perIp: rateLimit?.perIp ?? 600,
      perClient: rateLimit?.perClient ?? 6000,
      authorizePerIp: rateLimit?.authorizePerIp ?? 60,
      authFailures: rateLimit?.authFailures ?? 10,
      authFailureBlock: rateLimit?.authFailureBlock ?? 300,
      authFailureAlarm: rateLimit?.authFailureAlarm ?? 100,
      adminAuthFailures: rateLimit?.adminAuthFailures ?? 10,
      redisUrl: rateLimit?.redisUrl,
      redisPrefix: rateLimit?.redisPrefix ?? 'oauth:rl:',
    },
    keys: {
      rotationInterval: options.keys?.rotationInterval ?? 7776000,
      jwksMaxAge: options.keys?.jwksMaxAge ?? 300,
      /** Raw values (base64 or file:/path); parsed by KeyEncryption so a bad one fails in one line. */
      keyEncryptionKey: options.keys?.encryptionKey,
      keyEncryptionKeyPrevious: options.keys?.previousEncryptionKey,
      allowPlaintext: options.keys?.allowPlaintext ?? false,
      maxClockSkew: options.keys?.maxClockSkew ?? 60,
      production,
    },
    dpop: {
      signingAlgorithms: dpopAlgorithms,
      proofMaxAge: options.dpop?.proofMaxAge ?? 60,
      clockSkew: options.dpop?.clockSkew ?? 5,
      nonceRequired: options.dpop?.nonceRequired ?? false,
      /** A nonce is valid in the time step it was made and the next one (RFC 9449 §8: the server decides). */
      nonceStep: 300,
    },
    retention: {
      intervalSeconds: options.retention?.interval ?? 3600,
      revokedTtlSeconds: options.retention?.revokedTtl ?? 604800,
      batchSize: options.retention?.batchSize ?? 500,
      maxBatches: options.retention?.maxBatches ?? 20,
      maxClockSkewSeconds: options.retention?.maxClockSkew ?? 60,
    },
    runtime: {
      production,
      clockOffsetMs: Number.isFinite(options.clockOffsetMs) ? (options.clockOffsetMs as number) : 0,
    },
  };
}

export type ResolvedOAuthServerOptions = ReturnType<typeof resolveOptions>;

/** Infinity or a negative value would silently turn cross-instance invalidation off. */
function resolveStaleness(value: number | undefined): number {
  if (value === undefined) return 1000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigurationError(`database.clientCacheMaxStalenessMs must be a finite number >= 0 (got ${String(value)})`);
  return value;
}

/** Names no public deployment can have: loopback, and RFC 6761's `.localhost` (§6.3) and `.test` (§6.2). */
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\]|.+\.localhost|.+\.test)$/;

/**
 * RFC 8414 §2: an https URL without query or fragment, compared as a string (no trailing slash).
 * http only for a local host (loopback, `*.localhost`, `*.test`), or anywhere when `production` is
 * off (local development).
 */
function resolveIssuer(issuer: unknown, production: boolean): string {
  let url: URL;
  try {
    url = new URL(String(issuer));
  } catch {
    throw new ConfigurationError(`issuer must be an absolute https URL (got ${JSON.stringify(issuer)})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigurationError('issuer must be an https URL (RFC 8414 §2)');
  if (url.protocol === 'http:' && production && !LOCAL_HOST.test(url.hostname)) {
    throw new ConfigurationError('issuer must be an https URL (RFC 8414 §2); http only for a local host (localhost, *.test), or with production: false');
  }
  if (/[?#]/.test(String(issuer))) throw new ConfigurationError('issuer must have no query or fragment (RFC 8414 §2)');
  return String(issuer).replace(/\/+$/, '');
}
