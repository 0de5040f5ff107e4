import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';

const toTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Every environment variable the service reads, with its default. Validated once at boot. */
export class Environment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  PORT = 3000;

  @IsString() @Transform(toTrimmed)
  HOST = '0.0.0.0';

  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  ISSUER?: string;

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

  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be redis://host:port[/db] or rediss://...' })
  REDIS_URL?: string;

  @IsString()
  RATE_LIMIT_REDIS_PREFIX = 'oauth:rl:';

  @IsIn(['ES256', 'RS256'])
  ACCESS_TOKEN_SIGNING_ALG: 'ES256' | 'RS256' = 'ES256';

  @IsOptional() @IsString()
  ACCESS_TOKEN_AUDIENCE?: string;

  @IsIn(['FULL', 'NORMAL'])
  SQLITE_SYNCHRONOUS: 'FULL' | 'NORMAL' = 'FULL';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Parses and validates the environment; a bad value throws one line naming every problem. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const defined = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const environment = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(environment, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return environment;
}
