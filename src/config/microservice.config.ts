import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment, microserviceTransport } from './environment';

/** The trusted-network face of the service (see src/microservice/). Off unless a transport is configured. */
export const microserviceConfig = registerAs('microservice', () => {
  const env = loadEnvironment();
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
  };
});

export type MicroserviceConfig = ConfigType<typeof microserviceConfig>;
