import { INestApplication, Logger } from '@nestjs/common';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { microserviceConfig, MicroserviceConfig } from '../config/microservice.config';
import { BoundedTcpServer } from './bounded-tcp.server';
import { SafeNatsDeserializer } from './safe-nats.deserializer';
import { SharedSecret } from './shared-secret';

/** Transport options from the configuration; brokers are reached by URL (REDIS_URL, NATS_URL). */
export function microserviceOptions(config: MicroserviceConfig): MicroserviceOptions {
  if (config.transport === 'redis') {
    const url = new URL(config.redisUrl);
    return {
      transport: Transport.REDIS,
      options: {
        host: url.hostname,
        port: Number(url.port || 6379),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
        ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    };
  }
  if (config.transport === 'nats') {
    // One queue group: with several instances each request is handled by exactly one of them.
    return {
      transport: Transport.NATS,
      options: { servers: [config.natsUrl], queue: config.natsQueue, deserializer: new SafeNatsDeserializer() },
    };
  }
  // Framing runs before the shared secret is checked: bounded (frame size, time, connections); the
  // socket then closes a connection at its first message without the secret.
  return { strategy: new BoundedTcpServer({ host: config.host, port: config.port! }, config.tcpLimits, new SharedSecret(config.secret)) };
}

/**
 * Makes the app hybrid when MICROSERVICE_PORT is set; shared by main.ts and the e2e tests. The
 * app is initialised first so no message is handled before start-up hooks (signing keys) ran.
 */
export async function startMicroservice(app: INestApplication): Promise<boolean> {
  const config = app.get<MicroserviceConfig>(microserviceConfig.KEY);
  if (!config.enabled) return false;
  app.connectMicroservice<MicroserviceOptions>(microserviceOptions(config));
  await app.init();
  await app.startAllMicroservices();
  // Broker URLs may hold credentials: only their host is logged.
  const where = config.transport === 'tcp' ? `${config.host}:${config.port}` : new URL(config.transport === 'redis' ? config.redisUrl : config.natsUrl).host;
  Logger.log(`microservice transport ${config.transport} on ${where}`, 'Bootstrap');
  return true;
}
