import { MAX_FRAME_LENGTH } from '../microservice/bounded-json-socket';
import { microserviceTransport } from './environment';
import { fromEnvironment, SettingsOf } from './environment-settings';

/** The trusted-network face of the service (see src/microservice/). Off unless a transport is configured. */
export const microserviceConfig = fromEnvironment('microservice', (env) => {
  const transport = microserviceTransport(env);
  return {
    enabled: transport !== undefined,
    transport: transport ?? 'tcp',
    host: env.MICROSERVICE_HOST,
    port: env.MICROSERVICE_PORT,
    secret: env.MICROSERVICE_SECRET ?? '',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    natsUrl: env.NATS_URL ?? '',
    natsQueue: env.MICROSERVICE_NATS_QUEUE,
    subjectPrefix: env.MICROSERVICE_SUBJECT_PREFIX,
    tcpLimits: {
      maxConnections: env.MICROSERVICE_MAX_CONNECTIONS,
      frameTimeoutMs: env.MICROSERVICE_FRAME_TIMEOUT * 1000,
      authTimeoutMs: env.MICROSERVICE_AUTH_TIMEOUT * 1000,
      idleTimeoutMs: env.MICROSERVICE_IDLE_TIMEOUT * 1000,
      maxFrameLength: MAX_FRAME_LENGTH,
      maxInFlight: 16,
      maxSendBuffer: 1024 * 1024,
    },
  };
});

export type MicroserviceConfig = SettingsOf<typeof microserviceConfig>;
