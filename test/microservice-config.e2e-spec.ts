import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { firstValueFrom, timeout } from 'rxjs';
import { startMicroservice } from '../src/microservice/connect-microservice';
import { TestApp } from './support/test-app';

// MICROSERVICE_TRANSPORT=nats without MICROSERVICE_PORT used to leave the transport silently off.
describe('microservice transport "on" conditions', () => {
  it('nats needs NATS_URL and the secret, not a port', async () => {
    const secret = randomBytes(32).toString('base64url');
    const queue = `q-${randomBytes(4).toString('hex')}`;
    const t = await TestApp.create({
      env: { MICROSERVICE_TRANSPORT: 'nats', NATS_URL: 'nats://127.0.0.1:4222', MICROSERVICE_SECRET: secret, MICROSERVICE_NATS_QUEUE: queue },
      beforeInit: async (app) => expect(await startMicroservice(app)).toBe(true),
    });
    const proxy = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: ['nats://127.0.0.1:4222'] } });
    try {
      await proxy.connect();
      const answer = await firstValueFrom(proxy.send('oauth.introspect', { secret, token: 'not-a-token' }).pipe(timeout(5000)));
      expect(answer).toEqual({ active: false });
    } finally {
      await proxy.close();
      await t.close();
    }
  });

  it.each([
    [{ MICROSERVICE_TRANSPORT: 'nats', MICROSERVICE_SECRET: 's'.repeat(32) }, /MICROSERVICE_TRANSPORT=nats needs NATS_URL/],
    [{ MICROSERVICE_TRANSPORT: 'tcp', MICROSERVICE_SECRET: 's'.repeat(32) }, /MICROSERVICE_TRANSPORT=tcp needs MICROSERVICE_PORT/],
    [{ MICROSERVICE_TRANSPORT: 'redis', NATS_URL: 'nats://127.0.0.1:4222' }, /MICROSERVICE_SECRET .* is required when the microservice transport is on/],
  ])('%p fails the boot, naming what is missing', async (env, message) => {
    await expect(TestApp.create({ env, beforeInit: (app) => startMicroservice(app) })).rejects.toThrow(message);
  });
});
