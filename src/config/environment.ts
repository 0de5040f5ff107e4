import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf, validateSync } from 'class-validator';

const toTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Every environment variable the service reads, with its default. Validated once at boot. */
export class Environment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
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

  @IsString() @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<path> or postgres://user@host:port/db',
  })
  DATABASE_URL = 'sqlite:data/oauth.sqlite';

  @Type(() => Number) @IsInt() @Min(1)
  ACCESS_TOKEN_TTL = 900;

  @Type(() => Number) @IsInt() @Min(1)
  REFRESH_TOKEN_ABSOLUTE_TTL = 2592000;

  @Type(() => Number) @IsInt() @Min(1)
  REFRESH_TOKEN_IDLE_TTL = 1209600;

  /** Seconds after a rotation during which the same client may retry it (0 = strict, no retries). */
  @Type(() => Number) @IsInt() @Min(0) @Max(300)
  REFRESH_TOKEN_REUSE_INTERVAL = 0;

  /** Abuse limits on /oauth/* (see docs): off only for benchmarks and tests that flood on purpose. */
  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED: 'true' | 'false' = 'true';

  @Type(() => Number) @IsInt() @Min(1)
  RATE_LIMIT_WINDOW = 60;

  /** 0 turns this one limit off. */
  @Type(() => Number) @IsInt() @Min(0)
  RATE_LIMIT_PER_IP = 600;

  /** 0 turns this one limit off. A public client shared by many devices needs a high value. */
  @Type(() => Number) @IsInt() @Min(0)
  RATE_LIMIT_PER_CLIENT = 6000;

  @Type(() => Number) @IsInt() @Min(1)
  RATE_LIMIT_AUTH_FAILURES = 10;

  @Type(() => Number) @IsInt() @Min(1)
  RATE_LIMIT_AUTH_FAILURE_BLOCK = 300;

  /** Shared rate-limit counters (unset: in memory) and the `redis` microservice transport's broker. */
  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be redis://host:port[/db] or rediss://...' })
  REDIS_URL?: string;

  @IsString()
  RATE_LIMIT_REDIS_PREFIX = 'oauth:rl:';

  @IsIn(['ES256', 'RS256'])
  ACCESS_TOKEN_SIGNING_ALG: 'ES256' | 'RS256' = 'ES256';

  @IsOptional() @IsString()
  ACCESS_TOKEN_AUDIENCE?: string;

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

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  /** Turns the microservice transport on; the TCP listen port (unused by broker transports). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  MICROSERVICE_PORT?: number;

  @IsIn(['tcp', 'redis', 'nats'])
  MICROSERVICE_TRANSPORT: 'tcp' | 'redis' | 'nats' = 'tcp';

  @IsString() @Transform(toTrimmed)
  MICROSERVICE_HOST = '127.0.0.1';

  // Checked on every message; without it any process that reaches the transport could mint tokens.
  @ValidateIf((env: Environment) => env.MICROSERVICE_PORT !== undefined)
  @Matches(/^\S{32,}$/, { message: 'MICROSERVICE_SECRET (at least 32 characters, no spaces) is required when MICROSERVICE_PORT is set' })
  MICROSERVICE_SECRET?: string;

  @IsUrl({ require_tld: false, protocols: ['nats', 'tls'], require_protocol: true })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Where /oauth/authorize sends the browser with `?login_challenge=`; unset: no code flow. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Matches(/^[^#]*$/, { message: 'LOGIN_URL must not contain a fragment' })
  LOGIN_URL?: string;

  /** Bearer key of the /admin API (the login app's credential); unset: the admin API is off. */
  @IsOptional() @IsString() @MinLength(32, { message: 'ADMIN_API_KEY must be at least 32 characters (e.g. openssl rand -base64 32)' })
  ADMIN_API_KEY?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(86400)
  LOGIN_REQUEST_TTL = 600;

  // RFC 6749 §4.1.2: a maximum authorization code lifetime of 10 minutes is RECOMMENDED.
  @Type(() => Number) @IsInt() @Min(1) @Max(600)
  AUTHORIZATION_CODE_TTL = 60;

  /** Seconds between retention cleanups on each instance; 0 turns the cleanup off. */
  @Type(() => Number) @IsInt() @Min(0)
  RETENTION_INTERVAL = 3600;

  /** Seconds a revoked family is kept (for audit and support) before the cleanup deletes it. */
  @Type(() => Number) @IsInt() @Min(0)
  RETENTION_REVOKED_TTL = 604800;

  /** Families deleted per transaction; a run stops after RETENTION_MAX_BATCHES batches. */
  @Type(() => Number) @IsInt() @Min(1) @Max(10000)
  RETENTION_BATCH_SIZE = 500;

  @Type(() => Number) @IsInt() @Min(1)
  RETENTION_MAX_BATCHES = 20;

  /**
   * Seconds this instance's clock may differ from the database's before the cleanup refuses to
   * run (its cutoffs come from the database clock). 0: no check, cutoffs from this instance's clock.
   */
  @Type(() => Number) @IsInt() @Min(0)
  RETENTION_MAX_CLOCK_SKEW = 60;

  /** Seconds a SIGTERM may spend draining in-flight requests before the process gives up. */
  @Type(() => Number) @IsInt() @Min(1)
  SHUTDOWN_TIMEOUT = 25;
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Parses and validates the environment; a bad value throws one line naming every problem. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const defined = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const environment = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(environment, { whitelist: false, forbidUnknownValues: false });
  const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
  // A login request can only be completed through the admin API.
  if (environment.LOGIN_URL && !environment.ADMIN_API_KEY) problems.push('LOGIN_URL needs ADMIN_API_KEY (the login app calls the admin API)');
  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return environment;
}
