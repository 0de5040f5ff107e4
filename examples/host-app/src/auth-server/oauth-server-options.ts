import type { ConfigService } from '@nestjs/config';
import type { OAuthServerOptions } from 'nest-oauth-server';

/**
 * The host's environment → the library's typed options. The library reads no environment variable
 * itself; these names are this application's choice.
 */
export function oauthServerOptions(config: ConfigService): OAuthServerOptions {
  const publicUrl = config.get<string>('PUBLIC_URL', 'http://localhost:3000').replace(/\/+$/, '');
  const seconds = (name: string, fallback: number): number => {
    const value = Number(config.get<string>(name, String(fallback)));
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of seconds or requests`);
    return value;
  };
  return {
    // The server lives under the application's global prefix, and so does its issuer (RFC 8414 §2).
    issuer: `${publicUrl}/api`,
    database: { url: config.get<string>('OAUTH_DATABASE_URL', 'sqlite:data/oauth.sqlite') },
    accessToken: { ttl: seconds('OAUTH_ACCESS_TOKEN_TTL', 600) },
    refreshToken: { idleTtl: seconds('OAUTH_REFRESH_TOKEN_IDLE_TTL', 14 * 86400), absoluteTtl: seconds('OAUTH_REFRESH_TOKEN_ABSOLUTE_TTL', 30 * 86400) },
    // The code flow's login page is this application's own (src/login), served in-process.
    authorization: { loginUrl: `${publicUrl}/api/login` },
    // Request limits are off by default when embedded (the failed-authentication lockout is always
    // on); this application wants them, and its own lockout threshold.
    rateLimit: {
      perIp: seconds('OAUTH_RATE_LIMIT_PER_IP', 300),
      perClient: seconds('OAUTH_RATE_LIMIT_PER_CLIENT', 3000),
      authFailures: seconds('OAUTH_RATE_LIMIT_AUTH_FAILURES', 10),
    },
    keys: { encryptionKey: config.get<string>('OAUTH_KEY_ENCRYPTION_KEY') },
  };
}
