import type { Environment } from '../config/environment';
import { maskUrlCredentials } from '../config/url-credentials';

/**
 * The one start-up line that says how this instance is configured, without a secret: database URLs
 * lose their password, broker URLs are reduced to their host, keys and shared secrets appear only as
 * "set" or absent.
 */
export function configSummary(env: Environment): Record<string, unknown> {
  return {
    issuer: env.ISSUER ?? `http://localhost:${env.PORT}`,
    listen: `${env.HOST}:${env.PORT}`,
    database: withoutPassword(env.DATABASE_URL),
    signing_alg: env.ACCESS_TOKEN_SIGNING_ALG,
    access_token_ttl: env.ACCESS_TOKEN_TTL,
    refresh_token_reuse_interval: env.REFRESH_TOKEN_REUSE_INTERVAL,
    rate_limit: env.RATE_LIMIT_ENABLED === 'true' ? (env.REDIS_URL ? `redis ${hostOf(env.REDIS_URL)}` : 'memory') : 'off',
    trust_proxy: env.TRUST_PROXY,
    login_url: env.LOGIN_URL ?? null,
    admin_api: env.ADMIN_API_KEY ? 'on' : 'off',
    log_level: env.LOG_LEVEL,
  };
}

function withoutPassword(url: string): string {
  return url.startsWith('sqlite:') ? url : maskUrlCredentials(url);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unparseable)';
  }
}
