import { RetentionService, TokenFamilyEntity } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

const DAY = 86_400;

/**
 * Issue 13 item 5: the cleanup's cutoffs come from the database's clock, and an instance whose own
 * clock is off by more than RETENTION_MAX_CLOCK_SKEW refuses to clean up (one such instance, +31
 * days, once deleted every live family in the shared database).
 */
describe('retention and the clock', () => {
  let t: TestApp;
  let client: TestClient;
  const families = () => t.dataSource().getRepository(TokenFamilyEntity);

  beforeAll(async () => {
    t = await TestApp.create({ env: { RETENTION_INTERVAL: '0', RETENTION_MAX_CLOCK_SKEW: '60' } });
    client = await t.createClient();
  });
  afterAll(() => t.close());
  beforeEach(() => {
    // The instance's clock agrees with the database's (and the machine's) to start with.
    t.clock.advance((Date.now() - t.clock.now()) / 1000);
  });

  it('an instance whose clock jumped 31 days ahead deletes no live family', async () => {
    const { refresh_token: token } = await t.issueTokens(client, 'clock-jump');
    const family = await families().findOneByOrFail({ clientId: client.clientId, subject: 'clock-jump' });
    t.clock.advance(31 * DAY);
    expect(await t.get(RetentionService).runOnce()).toBe(0);
    expect(await families().findOneBy({ id: family.id })).not.toBeNull();
    // Back on time, the family is alive and rotates.
    t.clock.advance(-31 * DAY);
    await t.refresh(client, token!).expect(200);
  });

  it('deletes a family that ended by the database clock', async () => {
    await t.issueTokens(client, 'ended');
    const family = await families().findOneByOrFail({ clientId: client.clientId, subject: 'ended' });
    await families().update({ id: family.id }, { expiresAt: Date.now() - 10 * 60_000 });
    expect(await t.get(RetentionService).runOnce()).toBeGreaterThanOrEqual(1);
    expect(await families().findOneBy({ id: family.id })).toBeNull();
  });
});
