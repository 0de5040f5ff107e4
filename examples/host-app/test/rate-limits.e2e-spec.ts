import type { Response } from 'supertest';
import { Client, HostTestApp, TOKEN_PATH } from './support/host-test-app';

/** RFC 6749 §5.2-shaped, with Retry-After: what the library answers over a limit. */
function expectSlowDown(res: Response): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('rate limits, turned on in the host’s options, under the global prefix', () => {
  let t: HostTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('limits each address at /api/oauth/token, and leaves the host’s own routes alone', async () => {
    t = await HostTestApp.start({ OAUTH_RATE_LIMIT_PER_IP: '3' });
    const anonymous = () => t!.http().post(TOKEN_PATH).type('form').send({ grant_type: 'refresh_token' });
    for (let i = 0; i < 3; i++) await anonymous().expect(401);
    expectSlowDown(await anonymous());
    for (let i = 0; i < 5; i++) await t.http().post('/api/notes').send({ text: `note ${i}` }).expect(201);
  });

  it('blocks a client id after repeated failed authentications, even with the right secret then', async () => {
    t = await HostTestApp.start({ OAUTH_RATE_LIMIT_AUTH_FAILURES: '2' });
    const victim = await t.client();
    const bystander = await t.client();
    const live = (await t.startFamily(victim)).refresh_token;
    const wrong: Client = { clientId: victim.clientId, clientSecret: 'wrong' };
    for (let i = 0; i < 3; i++) await t.refresh(wrong, live).expect(401);
    expectSlowDown(await t.refresh(victim, live));
    await t.refresh(bystander, (await t.startFamily(bystander)).refresh_token).expect(200);
  });
});
