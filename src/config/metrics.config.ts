import { fromEnvironment, SettingsOf } from './environment-settings';

/**
 * Where /metrics is served: on its own listener (METRICS_PORT), else on the public port only behind
 * METRICS_TOKEN, else nowhere. `tokenHash` is empty when no token is required.
 *
 * The listener binds to loopback unless METRICS_HOST says otherwise (review L5): it follows HOST no
 * more, since HOST is 0.0.0.0 for the public port, and METRICS_PORT alone would then have served
 * the metrics without a token on every interface. Exposing them is a decision of its own.
 */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

export const metricsConfig = fromEnvironment('metrics', (env) => {
  return {
    port: env.METRICS_PORT,
    host: env.METRICS_HOST ?? DEFAULT_METRICS_HOST,
    token: env.METRICS_TOKEN,
    onPublicPort: env.METRICS_PORT === undefined && env.METRICS_TOKEN !== undefined,
  };
});

export type MetricsConfig = SettingsOf<typeof metricsConfig>;
