import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateBy, ValidateIf, ValidationOptions, validateSync } from 'class-validator';
import { ConfigurationError } from 'nest-oauth-server';
import { maskUrlCredentials } from './url-credentials';

/** At least `min` different characters: rules out `aaaa…` and keyboard walks that pass a length check. */
function HasDistinctCharacters(min: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'hasDistinctCharacters', validator: { validate: (value: unknown) => typeof value === 'string' && new Set(value).size >= min } }, options);
}

/** A whole number from `min` (to `max`): environment values are strings, converted before the check. */
function Integer(min: number, max?: number): PropertyDecorator {
  return applyDecorators(Type(() => Number), IsInt(), Min(min), ...(max === undefined ? [] : [Max(max)]));
}

const toTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Every environment variable the service reads, with its default. Validated once at boot. */
export class Environment {
  @Integer(1, 65535)
  PORT = 3000;

  @IsString() @Transform(toTrimmed)
  HOST = '0.0.0.0';

  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  ISSUER?: string;

  /**
   * Express `trust proxy`: which hops may set X-Forwarded-For. Behind a load balancer the per-IP
   * rate limit must see the client's address, not the balancer's. `false` (default), `true`, a hop
   * count, or a comma-separated list of addresses/subnets (`loopback`, `uniquelocal`, `10.0.0.0/8`).
   */
  @Matches(/^(true|false|\d{1,2}|(loopback|linklocal|uniquelocal|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(\/\d{1,3})?))*)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or a comma-separated list of addresses or subnets',
  })
  TRUST_PROXY = 'false';

  /** Seconds a client may take to send the request headers (slow-header attacks). */
  @Integer(1, 3600)
  HTTP_HEADERS_TIMEOUT = 10;

  /** Seconds a client may take to send a whole request, body included (≥ HTTP_HEADERS_TIMEOUT). */
  @Integer(1, 3600)
  HTTP_REQUEST_TIMEOUT = 30;

  /** Seconds an idle keep-alive connection is kept; above a load balancer's usual 60 s idle timeout. */
  @Integer(1, 3600)
  HTTP_KEEP_ALIVE_TIMEOUT = 65;

  /** Open HTTP connections at once; further ones are closed as they arrive. */
  @Integer(1)
  HTTP_MAX_CONNECTIONS = 2048;

  @IsString() @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<path> or postgres://user@host:port/db',
  })
  DATABASE_URL = 'sqlite:data/oauth.sqlite';

  @Integer(1)
  ACCESS_TOKEN_TTL = 900;

  @Integer(1)
  REFRESH_TOKEN_ABSOLUTE_TTL = 2592000;

  @Integer(1)
  REFRESH_TOKEN_IDLE_TTL = 1209600;

  /**
   * Seconds after a rotation during which the same client may retry it with the token it just
   * used (a lost response is the normal case, not theft); 0 = strict, every retry is reuse.
   * Default 60 s, the trade-off is in docs/retry-window.md.
   */
  @Integer(0, 300)
  REFRESH_TOKEN_REUSE_INTERVAL = 60;

  /**
   * How many retries of one rotation the retry window answers (each gets a new access token and
   * the same successor); past it a retry is refused with invalid_grant, the family kept.
   */
  @Integer(1, 100)
  REFRESH_TOKEN_RETRY_LIMIT = 3;

  /** Abuse limits on /oauth/* (see docs): off only for benchmarks and tests that flood on purpose. */
  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED: 'true' | 'false' = 'true';

  @Integer(1)
  RATE_LIMIT_WINDOW = 60;

  /** 0 turns this one limit off. */
  @Integer(0)
  RATE_LIMIT_PER_IP = 600;

  /** 0 turns this one limit off. A public client shared by many devices needs a high value. */
  @Integer(0)
  RATE_LIMIT_PER_CLIENT = 6000;

  /** Per IP and window at GET /oauth/authorize, which stores a login request: lower than RATE_LIMIT_PER_IP. 0 = off. */
  @Integer(0)
  RATE_LIMIT_AUTHORIZE_PER_IP = 60;

  /** Failed authentications of one client id from one address (IPv6 /64) per window before that pair is blocked. */
  @Integer(1)
  RATE_LIMIT_AUTH_FAILURES = 10;

  @Integer(1)
  RATE_LIMIT_AUTH_FAILURE_BLOCK = 300;

  /** Failed authentications of one client id from all addresses per window that raise the guessing alarm. */
  @Integer(1)
  RATE_LIMIT_AUTH_FAILURE_ALARM = 100;

  /** Wrong admin API keys from one address per window before it is refused for RATE_LIMIT_AUTH_FAILURE_BLOCK. */
  @Integer(1)
  RATE_LIMIT_ADMIN_AUTH_FAILURES = 10;

  /** Shared rate-limit counters (unset: in memory) and the `redis` microservice transport's broker. */
  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be redis://host:port[/db] or rediss://...' })
  REDIS_URL?: string;

  @IsString()
  RATE_LIMIT_REDIS_PREFIX = 'oauth:rl:';

  @IsIn(['ES256', 'RS256'])
  ACCESS_TOKEN_SIGNING_ALG: 'ES256' | 'RS256' = 'ES256';

  @IsOptional() @IsString()
  ACCESS_TOKEN_AUDIENCE?: string;

  /** Attempts to reach the database at start-up (each failure logged in one line) before the boot fails. */
  @Integer(1, 100)
  DATABASE_CONNECT_RETRIES = 10;

  @Integer(0, 60000)
  DATABASE_CONNECT_RETRY_DELAY_MS = 3000;

  /**
   * Seconds one unit of database work may take, queueing included (PostgreSQL: pool acquire,
   * statement_timeout, idle_in_transaction_session_timeout; SQLite: busy_timeout). Past it the
   * request is answered 503 and the work is refused before it commits. Keep it below the clients'
   * own timeout, so that they get an answer instead of abandoning a request that commits later.
   */
  @Type(() => Number) @IsNumber({ maxDecimalPlaces: 3 }) @Min(0.1) @Max(60)
  DATABASE_TIMEOUT = 5;

  @IsIn(['FULL', 'NORMAL'])
  SQLITE_SYNCHRONOUS: 'FULL' | 'NORMAL' = 'FULL';

  /**
   * Milliseconds a kept client row may lag a write made elsewhere (another instance, the CLI);
   * writes through this instance are seen at once. 0: one version read before every lookup.
   */
  @Integer(0, 60000)
  CLIENT_CACHE_MAX_STALENESS_MS = 1000;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  /**
   * The microservice transport: unset = off (or `tcp` when MICROSERVICE_PORT is set, as before).
   * Each transport has its own "on" condition, checked at boot: tcp needs MICROSERVICE_PORT, nats
   * needs NATS_URL, redis needs REDIS_URL; every one needs MICROSERVICE_SECRET.
   */
  @IsOptional() @IsIn(['tcp', 'redis', 'nats'])
  MICROSERVICE_TRANSPORT?: 'tcp' | 'redis' | 'nats';

  /** The TCP listen port (unused by broker transports). */
  @IsOptional() @Integer(1, 65535)
  MICROSERVICE_PORT?: number;

  @IsString() @Transform(toTrimmed)
  MICROSERVICE_HOST = '127.0.0.1';

  // Checked on every message; without it any process that reaches the transport could mint tokens.
  @ValidateIf((env: Environment) => microserviceTransport(env) !== undefined)
  @Matches(/^\S{32,}$/, { message: 'MICROSERVICE_SECRET (at least 32 characters, no spaces) is required when the microservice transport is on' })
  MICROSERVICE_SECRET?: string;

  /** Broker of the `nats` transport (required by it). */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['nats', 'tls'], require_protocol: true })
  NATS_URL?: string;

  /** NATS queue group: with several instances each request is handled by exactly one of them. */
  @Matches(/^[A-Za-z0-9_.-]{1,128}$/, { message: 'MICROSERVICE_NATS_QUEUE must be 1-128 letters, digits, "_", "-" or "."' })
  MICROSERVICE_NATS_QUEUE = 'oauth-token-service';

  /** Message patterns (subjects) are `<prefix>.issue`, `<prefix>.introspect`, `<prefix>.revoke`. */
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { message: 'MICROSERVICE_SUBJECT_PREFIX must be dot-separated words of letters, digits, "_" or "-"' })
  MICROSERVICE_SUBJECT_PREFIX = 'oauth';

  /** TCP transport: open connections at once; more are closed as they arrive. */
  @Integer(1, 10000)
  MICROSERVICE_MAX_CONNECTIONS = 64;

  /** TCP transport: seconds a frame may take to arrive whole once it started. */
  @Integer(1, 300)
  MICROSERVICE_FRAME_TIMEOUT = 5;

  /**
   * TCP transport: seconds a new connection has to send a message with MICROSERVICE_SECRET before it
   * is closed, so peers without the secret cannot hold the MICROSERVICE_MAX_CONNECTIONS slots.
   */
  @Integer(1, 300)
  MICROSERVICE_AUTH_TIMEOUT = 5;

  /** TCP transport: seconds without traffic before a connection is closed (clients reconnect); 0: never. */
  @Integer(0)
  MICROSERVICE_IDLE_TIMEOUT = 300;

  /** Where /oauth/authorize sends the browser with `?login_challenge=`; unset: no code flow. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Matches(/^[^#]*$/, { message: 'LOGIN_URL must not contain a fragment' })
  LOGIN_URL?: string;

  /** Bearer key of the /admin API (the login app's credential); unset: the admin API is off. */
  @IsOptional() @IsString() @MinLength(32, { message: 'ADMIN_API_KEY must be at least 32 characters (e.g. openssl rand -base64 32)' })
  // Issue 10 item 10: whitespace is a copy-paste accident (a Bearer token cannot carry it), and a
  // long key of few distinct characters is a weak one.
  @Matches(/^\S*$/, { message: 'ADMIN_API_KEY must not contain whitespace' })
  @HasDistinctCharacters(16, { message: 'ADMIN_API_KEY must have at least 16 distinct characters (e.g. openssl rand -base64 32)' })
  ADMIN_API_KEY?: string;

  @Integer(1, 86400)
  LOGIN_REQUEST_TTL = 600;

  // RFC 6749 §4.1.2: a maximum authorization code lifetime of 10 minutes is RECOMMENDED.
  @Integer(1, 600)
  AUTHORIZATION_CODE_TTL = 60;

  /** Serves /metrics on a listener of its own (not the public port); unset: see METRICS_TOKEN. */
  @IsOptional() @Integer(1, 65535)
  METRICS_PORT?: number;

  /** Bind address of the metrics listener; unset: 127.0.0.1 (loopback only, whatever HOST is). */
  @IsOptional() @IsString() @Transform(toTrimmed)
  METRICS_HOST?: string;

  /** Bearer token a scraper must present; without METRICS_PORT it puts /metrics on the public port. */
  @IsOptional() @Matches(/^\S{32,}$/, { message: 'METRICS_TOKEN must be at least 32 characters without spaces (e.g. openssl rand -base64 32)' })
  METRICS_TOKEN?: string;

  /**
   * Seconds a pushed authorization request (RFC 9126) stays usable: long enough for the browser
   * redirect that follows the push, short because its request_uri is a bearer reference.
   */
  @Integer(1, 600)
  PAR_REQUEST_TTL = 60;

  /** RFC 9126 §5: every client must push its authorization requests (per client: --require-par). */
  @IsIn(['true', 'false'])
  PAR_REQUIRED: 'true' | 'false' = 'false';

  /** Seconds between retention cleanups on each instance; 0 turns the cleanup off. */
  @Integer(0)
  RETENTION_INTERVAL = 3600;

  /** Seconds a revoked family is kept (for audit and support) before the cleanup deletes it. */
  @Integer(0)
  RETENTION_REVOKED_TTL = 604800;

  /** Families deleted per transaction; a run stops after RETENTION_MAX_BATCHES batches. */
  @Integer(1, 10000)
  RETENTION_BATCH_SIZE = 500;

  @Integer(1)
  RETENTION_MAX_BATCHES = 20;

  /**
   * Seconds between automatic signing-key rotations; 0 turns the schedule off (manual keys:rotate
   * only). 90 days: the common default of peers (Duende), short enough to bound a silent key leak.
   */
  @Integer(0)
  SIGNING_KEY_ROTATION_INTERVAL = 7776000;

  /** `Cache-Control: max-age` of the JWKS in seconds; a new key is published this long (plus margins) before it signs. */
  @Integer(0, 86400)
  JWKS_MAX_AGE = 300;

  /** 256-bit key-encryption key (base64) or `file:/path`; unset: private keys are stored in plaintext. */
  @IsOptional() @IsString()
  KEY_ENCRYPTION_KEY?: string;

  /** The previous KEK, still accepted for reading while `keys:rewrap` moves every key to the new one. */
  @IsOptional() @IsString()
  KEY_ENCRYPTION_KEY_PREVIOUS?: string;

  /**
   * With a KEK set, plaintext private keys are refused (anyone who can write the database could
   * plant one). `true` only while `keys:rewrap` moves an existing deployment's keys to the KEK.
   */
  @IsIn(['true', 'false'])
  KEY_ENCRYPTION_ALLOW_PLAINTEXT: 'true' | 'false' = 'false';

  /**
   * Seconds this instance's clock may differ from the database's before it stops taking part in
   * the signing-key schedule (steps and lease run by the database clock). 0: no check, this
   * instance's clock (a single instance, or tests on a fake clock).
   */
  @Integer(0)
  SIGNING_KEY_MAX_CLOCK_SKEW = 60;

  /**
   * Seconds this instance's clock may differ from the database's before the cleanup refuses to
   * run (its cutoffs come from the database clock). 0: no check, cutoffs from this instance's clock.
   */
  @Integer(0)
  RETENTION_MAX_CLOCK_SKEW = 60;

  /**
   * RFC 9449 §4.3: the asymmetric JWS algorithms a DPoP proof may use, comma-separated. Symmetric
   * (HS*) and `none` are never accepted: a proof must be verifiable with the public key it carries.
   */
  @Matches(/^\s*(ES256|ES384|ES512|EdDSA|Ed25519|RS256|RS384|RS512|PS256|PS384|PS512)(\s*,\s*(ES256|ES384|ES512|EdDSA|Ed25519|RS256|RS384|RS512|PS256|PS384|PS512))*\s*$/, {
    message: 'DPOP_SIGNING_ALGS must be a comma-separated list of ES256, ES384, ES512, EdDSA, Ed25519, RS256, RS384, RS512, PS256, PS384, PS512',
  })
  DPOP_SIGNING_ALGS = 'ES256,EdDSA,RS256,PS256';

  /** RFC 9449 §4.3 step 11, §11.1: seconds a proof's `iat` may lie in the past (plus DPOP_CLOCK_SKEW either way). */
  @Integer(1, 600)
  DPOP_PROOF_MAX_AGE = 60;

  @Integer(0, 60)
  DPOP_CLOCK_SKEW = 5;

  /** RFC 9449 §8: every proof must carry a server nonce (`use_dpop_nonce` + `DPoP-Nonce` otherwise). */
  @IsIn(['true', 'false'])
  DPOP_NONCE_REQUIRED: 'true' | 'false' = 'false';

  /** Seconds a SIGTERM may spend draining in-flight requests before the process gives up. */
  @Integer(1)
  SHUTDOWN_TIMEOUT = 25;
}

/** The library's error type for a configuration it cannot run with: one line, shown as is. */
export { ConfigurationError };

/** Variables whose value is never repeated in an error message. */
const SECRET_VARIABLES = new Set(['ADMIN_API_KEY', 'MICROSERVICE_SECRET', 'METRICS_TOKEN', 'KEY_ENCRYPTION_KEY', 'KEY_ENCRYPTION_KEY_PREVIOUS']);
/** Names that read as a secret: also never shown, so a variable added later is safe by default. */
const SECRET_NAME = /(SECRET|PASSWORD|API_KEY|TOKEN|ENCRYPTION_KEY)(_PREVIOUS)?$/;

/** True for a variable whose value a boot error line must never show (only its length). */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLES.has(name) || SECRET_NAME.test(name);
}
/** Which message of a property to show when several constraints fail (one sentence, not three). */
const CONSTRAINT_ORDER = ['isInt', 'isIn', 'isUrl', 'matches', 'isString', 'minLength', 'min', 'max'];

/** The transport that is on, or undefined (off). */
export function microserviceTransport(env: Pick<Environment, 'MICROSERVICE_TRANSPORT' | 'MICROSERVICE_PORT'>): 'tcp' | 'redis' | 'nats' | undefined {
  return env.MICROSERVICE_TRANSPORT ?? (env.MICROSERVICE_PORT !== undefined ? 'tcp' : undefined);
}

/** True where several instances (or the CLI and the server) must agree on everything they sign. */
export function isProduction(source: NodeJS.ProcessEnv): boolean {
  return source.NODE_ENV === 'production' || /^postgres(ql)?:/.test(source.DATABASE_URL ?? '');
}

/**
 * Parses and validates the environment; a bad value throws one line naming every problem, each
 * with the value it rejected (secrets excepted).
 */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const defined = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const environment = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(environment, { whitelist: false, forbidUnknownValues: false });
  const problems = errors.map((error) => describeProblem(error.property, error.constraints ?? {}, defined[error.property]));
  // A login request can only be completed through the admin API.
  if (environment.LOGIN_URL && !environment.ADMIN_API_KEY) problems.push('LOGIN_URL needs ADMIN_API_KEY (the login app calls the admin API)');
  // Without one configured issuer each instance (and the CLI) would use http://localhost:$PORT, and
  // tokens of one would be inactive at another (RFC 9068 §4: the resource server checks `iss`).
  if (!environment.ISSUER && isProduction(source)) {
    problems.push('ISSUER is required in production (NODE_ENV=production or a PostgreSQL DATABASE_URL), so every instance and the CLI use the same issuer');
  }
  if (environment.ISSUER && /[?#]/.test(environment.ISSUER)) problems.push(`ISSUER must have no query or fragment (RFC 8414 §2) (got ${JSON.stringify(maskUrlCredentials(environment.ISSUER))})`);
  problems.push(...microserviceProblems(environment));
  // Node ends a request at requestTimeout whether or not its headers are complete.
  if (environment.METRICS_PORT !== undefined && environment.METRICS_PORT === environment.PORT) problems.push('METRICS_PORT must differ from PORT');
  if (environment.HTTP_HEADERS_TIMEOUT > environment.HTTP_REQUEST_TIMEOUT) problems.push('HTTP_HEADERS_TIMEOUT must not exceed HTTP_REQUEST_TIMEOUT');
  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  // RFC 8414 §2 compares issuers as strings: "https://as/" and "https://as" would differ. Corrected
  // here (and said by issuerCorrection()), so every reader of the configuration sees the same value.
  if (environment.ISSUER) environment.ISSUER = environment.ISSUER.replace(/\/+$/, '');
  return environment;
}

/** The logged correction of a trailing slash in ISSUER, or undefined when there is none. */
export function issuerCorrection(source: NodeJS.ProcessEnv = process.env): string | undefined {
  const issuer = source.ISSUER?.trim();
  if (!issuer || !/\/+$/.test(issuer)) return undefined;
  return `ISSUER "${issuer}" ends with "/": using "${issuer.replace(/\/+$/, '')}" (issuers are compared as strings, RFC 8414 §2)`;
}

function microserviceProblems(env: Environment): string[] {
  const transport = microserviceTransport(env);
  if (transport === 'tcp' && env.MICROSERVICE_PORT === undefined) return ['MICROSERVICE_TRANSPORT=tcp needs MICROSERVICE_PORT (the TCP listen port)'];
  if (transport === 'nats' && !env.NATS_URL) return ['MICROSERVICE_TRANSPORT=nats needs NATS_URL (e.g. nats://127.0.0.1:4222)'];
  if (transport === 'redis' && !env.REDIS_URL) return ['MICROSERVICE_TRANSPORT=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379)'];
  return [];
}

function describeProblem(property: string, constraints: Record<string, string>, raw: unknown): string {
  const key = CONSTRAINT_ORDER.find((name) => name in constraints) ?? Object.keys(constraints)[0];
  const message = constraints[key] ?? `${property} is invalid`;
  if (raw === undefined) return message;
  if (isSecretVariable(property)) return `${message} (got a value of ${String(raw).length} characters)`;
  // Any value may be a URL with a password (DATABASE_URL, REDIS_URL, NATS_URL, a mistyped ISSUER…).
  return `${message} (got ${JSON.stringify(maskUrlCredentials(String(raw)))})`;
}
