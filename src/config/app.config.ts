import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

export const appConfig = registerAs('app', () => {
  const env = loadEnvironment();
  const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return { port: env.PORT, host: env.HOST, issuer, logLevel: env.LOG_LEVEL };
});

export type AppConfig = ConfigType<typeof appConfig>;
