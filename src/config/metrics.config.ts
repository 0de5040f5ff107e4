import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/**
 * Where /metrics is served: on its own listener (METRICS_PORT), else on the public port only behind
 * METRICS_TOKEN, else nowhere. `tokenHash` is empty when no token is required.
 */
export const metricsConfig = registerAs('metrics', () => {
  const env = loadEnvironment();
  return {
    port: env.METRICS_PORT,
    host: env.METRICS_HOST ?? env.HOST,
    token: env.METRICS_TOKEN,
    onPublicPort: env.METRICS_PORT === undefined && env.METRICS_TOKEN !== undefined,
  };
});

export type MetricsConfig = ConfigType<typeof metricsConfig>;
