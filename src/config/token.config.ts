import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** Lifetimes are in seconds, as in the environment and in `expires_in`. */
export const tokenConfig = registerAs('token', () => {
  const env = loadEnvironment();
  return {
    accessTokenTtl: env.ACCESS_TOKEN_TTL,
    refreshTokenAbsoluteTtl: env.REFRESH_TOKEN_ABSOLUTE_TTL,
    refreshTokenIdleTtl: env.REFRESH_TOKEN_IDLE_TTL,
    refreshTokenReuseInterval: env.REFRESH_TOKEN_REUSE_INTERVAL,
    signingAlgorithm: env.ACCESS_TOKEN_SIGNING_ALG,
    audience: env.ACCESS_TOKEN_AUDIENCE,
    /** JWKS_MAX_AGE: how long a published key set may be cached; key rotation relies on it. */
    jwksMaxAge: env.JWKS_MAX_AGE,
  };
});

export type TokenConfig = ConfigType<typeof tokenConfig>;
