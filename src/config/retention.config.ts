import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** Durations in seconds, as in the environment. */
export const retentionConfig = registerAs('retention', () => {
  const env = loadEnvironment();
  return {
    intervalSeconds: env.RETENTION_INTERVAL,
    revokedTtlSeconds: env.RETENTION_REVOKED_TTL,
    batchSize: env.RETENTION_BATCH_SIZE,
    maxBatches: env.RETENTION_MAX_BATCHES,
    maxClockSkewSeconds: env.RETENTION_MAX_CLOCK_SKEW,
  };
});

export type RetentionConfig = ConfigType<typeof retentionConfig>;
