import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** The authorization code flow and its login application. Lifetimes in seconds. */
export const authorizationConfig = registerAs('authorization', () => {
  const env = loadEnvironment();
  return {
    loginUrl: env.LOGIN_URL,
    loginRequestTtl: env.LOGIN_REQUEST_TTL,
    authorizationCodeTtl: env.AUTHORIZATION_CODE_TTL,
    parRequestTtl: env.PAR_REQUEST_TTL,
    parRequired: env.PAR_REQUIRED === 'true',
  };
});

export type AuthorizationConfig = ConfigType<typeof authorizationConfig>;
