import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** Windows and blocks are in seconds, limits in requests per window. */
export const rateLimitConfig = registerAs('rateLimit', () => {
  const env = loadEnvironment();
  return {
    enabled: env.RATE_LIMIT_ENABLED === 'true',
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
  };
});

export type RateLimitConfig = ConfigType<typeof rateLimitConfig>;
