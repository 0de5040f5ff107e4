import { fromEnvironment, SettingsOf } from './environment-settings';

export const appConfig = fromEnvironment('app', (env) => {
  const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    port: env.PORT,
    host: env.HOST,
    issuer,
    logLevel: env.LOG_LEVEL,
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    httpLimits: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT * 1000,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT * 1000,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT * 1000,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
  };
});

/** The value Express expects for `trust proxy`. */
function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

export type AppConfig = SettingsOf<typeof appConfig>;
