/**
 * What a host configures. Times are in seconds (as in `expires_in`) unless the name says `Ms`.
 * Everything but `issuer` has a default (resolve-options.ts, the one place they are applied).
 */
export interface OAuthServerOptions {
  /**
   * RFC 8414 §2: the `iss` of every token and the base of the metadata URLs; https (http only for
   * localhost, 127.0.0.1, [::1], `*.localhost` and `*.test` (RFC 6761), or any host with `production: false`).
   */
  issuer: string;
  accessToken?: {
    /** Default 900. */
    ttl?: number;
    /** Default ES256. */
    algorithm?: 'ES256' | 'RS256';
    /** `aud` of access tokens; default the issuer. */
    audience?: string;
  };
  refreshToken?: {
    /** Default 1209600 (14 days). */
    idleTtl?: number;
    /** Default 2592000 (30 days). */
    absoluteTtl?: number;
    /** Seconds a lost rotation response may be retried with the used token (0 = strict); default 60. */
    retryWindow?: number;
    /** Retries one rotation's window answers; default 3. */
    retryLimit?: number;
  };
  /** Built-in grants; all on by default. One turned off is `unsupported_grant_type` and not advertised. */
  grants?: { refreshToken?: boolean; clientCredentials?: boolean; authorizationCode?: boolean };
  /**
   * The authorization code flow. `loginUrl`: where /oauth/authorize sends the browser with
   * `?login_challenge=`; without one (or `false`) the code flow is off.
   */
  authorization?:
    | false
    | {
        loginUrl?: string;
        /** Default 600. */
        loginRequestTtl?: number;
        /** RFC 6749 §4.1.2: at most 10 minutes RECOMMENDED; default 60. */
        codeTtl?: number;
        /** RFC 9126 request_uri lifetime; default 60. */
        parRequestTtl?: number;
        /** RFC 9126 §5: every client must push its requests; default false. */
        parRequired?: boolean;
      };
  database?: {
    /** `sqlite:<path>` or `postgres://…`; default `sqlite:data/oauth.sqlite`. Ignored with `dataSourceName`. */
    url?: string;
    /**
     * Use the host's TypeORM DataSource of this name instead of opening one (register
     * OAUTH_SERVER_ENTITIES and OAUTH_SERVER_MIGRATIONS in it, and run the migrations).
     * PostgreSQL only: a SQLite DataSource (one shared connection) is a ConfigurationError.
     */
    dataSourceName?: string;
    /** One unit of database work, queueing included; default 5000. */
    timeoutMs?: number;
    /** Default FULL (every acknowledged rotation survives a power cut). */
    sqliteSynchronous?: 'FULL' | 'NORMAL';
    /** Start-up attempts to reach PostgreSQL; default 10, 3000 ms apart. */
    connectRetries?: number;
    connectRetryDelayMs?: number;
    /** How long a cached client may lag a change made by another instance; finite, >= 0; default 1000. */
    clientCacheMaxStalenessMs?: number;
  };
  /**
   * Abuse limits on the library's endpoints. The request-rate limits (perIp, perClient,
   * authorizePerIp) are off unless given (an embedding host may have its own); the
   * authentication-failure lockouts (authFailures, adminAuthFailures) are always on, with the
   * defaults below and counters in memory. `false` turns everything off (tests only).
   */
  rateLimit?:
    | false
    | {
        /** Seconds; default 60. */
        window?: number;
        /** Per address and window, 0 = off; default 600. */
        perIp?: number;
        /** Per client and window, 0 = off; default 6000. */
        perClient?: number;
        /** GET /oauth/authorize per address and window, 0 = off; default 60. */
        authorizePerIp?: number;
        /** Failed authentications of one client from one address before the pair is blocked; default 10. */
        authFailures?: number;
        /** Seconds; default 300. */
        authFailureBlock?: number;
        /** Failed authentications of one client from all addresses that raise the alarm; default 100. */
        authFailureAlarm?: number;
        /** Wrong admin API keys from one address before it is blocked; default 10. */
        adminAuthFailures?: number;
        /** Shared counters; unset: in memory. */
        redisUrl?: string;
        /** Default `oauth:rl:`. */
        redisPrefix?: string;
      };
  /** TODO(host-embedding): today every client's registered origins ('per-client') are the policy. */
  cors?: { allowedOrigins?: 'per-client' };
  keys?: {
    /** 256-bit key-encryption key (base64 or `file:/path`); unset: private keys stored in plaintext. */
    encryptionKey?: string;
    /** The previous KEK, still read while keys are rewrapped. */
    previousEncryptionKey?: string;
    /** Plaintext private keys accepted despite a KEK (only while rewrapping); default false. */
    allowPlaintext?: boolean;
    /** Seconds between automatic signing-key rotations, 0 = manual only; default 7776000 (90 days). */
    rotationInterval?: number;
    /** JWKS `Cache-Control: max-age`; default 300. */
    jwksMaxAge?: number;
    /** Seconds this clock may differ from the database's in the key schedule, 0 = no check; default 60. */
    maxClockSkew?: number;
  };
  dpop?: {
    /** RFC 9449 §4.3; default ES256, EdDSA, RS256, PS256. */
    signingAlgorithms?: string[];
    /** Default 60. */
    proofMaxAge?: number;
    /** Default 5. */
    clockSkew?: number;
    /** RFC 9449 §8; default false. */
    nonceRequired?: boolean;
  };
  retention?: {
    /** Seconds between cleanups, 0 = off; default 3600. */
    interval?: number;
    /** Seconds a revoked family is kept; default 604800. */
    revokedTtl?: number;
    /** Default 500. */
    batchSize?: number;
    /** Default 20. */
    maxBatches?: number;
    /** Seconds, 0 = no check; default 60. */
    maxClockSkew?: number;
  };
  /**
   * Production hardening: the JWKS fetcher refuses loopback `jwks_uri`s, a missing KEK is warned
   * about at every boot, an http issuer must be a local host. Default true: set `false` explicitly
   * for tests and local development that need a loopback `jwks_uri` or an http issuer.
   */
  production?: boolean;
  /** Shifts the server's clock (a testing aid for clock jumps, never for production); default 0. */
  clockOffsetMs?: number;
}
