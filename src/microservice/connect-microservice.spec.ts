import { Transport } from '@nestjs/microservices';
import type { Server } from 'node:net';
import type { MicroserviceConfig } from '../config/microservice.config';
import { BoundedTcpServer } from './bounded-tcp.server';
import { microserviceOptions } from './connect-microservice';

const base: MicroserviceConfig = {
  enabled: true,
  transport: 'tcp',
  host: '127.0.0.1',
  port: 3001,
  secret: 's'.repeat(32),
  redisUrl: 'redis://127.0.0.1:6379',
  natsUrl: 'nats://127.0.0.1:4222',
  natsQueue: 'oauth-token-service',
  subjectPrefix: 'oauth',
  tcpLimits: { maxConnections: 7, frameTimeoutMs: 5000, authTimeoutMs: 5000, idleTimeoutMs: 0, maxFrameLength: 65536, maxInFlight: 16, maxSendBuffer: 1 << 20 },
};

describe('microserviceOptions', () => {
  it('TCP binds MICROSERVICE_HOST:MICROSERVICE_PORT with bounded framing and a connection cap', () => {
    const { strategy } = microserviceOptions(base) as { strategy: BoundedTcpServer };
    expect(strategy).toBeInstanceOf(BoundedTcpServer);
    const server = strategy.unwrap<Server>();
    expect(server.maxConnections).toBe(7);
  });

  it('Redis takes credentials, database and TLS from REDIS_URL', () => {
    const options = microserviceOptions({ ...base, transport: 'redis', redisUrl: 'rediss://svc:p%40ss@cache.internal:6380/2' });
    expect(options).toEqual({
      transport: Transport.REDIS,
      options: { host: 'cache.internal', port: 6380, username: 'svc', password: 'p@ss', db: 2, tls: {} },
    });
    expect(microserviceOptions({ ...base, transport: 'redis' })).toEqual({ transport: Transport.REDIS, options: { host: '127.0.0.1', port: 6379 } });
  });

  it('NATS joins one queue group so several instances split the requests', () => {
    const options = microserviceOptions({ ...base, transport: 'nats' }) as { transport: Transport; options: Record<string, unknown> };
    expect(options.transport).toBe(Transport.NATS);
    expect(options.options).toMatchObject({ servers: ['nats://127.0.0.1:4222'], queue: 'oauth-token-service' });
    expect((microserviceOptions({ ...base, transport: 'nats', natsQueue: 'auth-eu' }) as { options: { queue: string } }).options.queue).toBe('auth-eu');
  });
});
