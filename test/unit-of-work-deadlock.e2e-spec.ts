import { OneTimeTicketGrantModule } from './support/one-time-ticket-grant/one-time-ticket-grant.module';
import { ONE_TIME_TICKET_GRANT } from './support/one-time-ticket-grant/one-time-ticket-grant.service';
import { RefreshTokensRepository } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

/**
 * The review's finding: a grant that calls a repository inside its transaction. Before the unit of
 * work joined such calls, the first request was answered 503 after DATABASE_TIMEOUT on SQLite (the
 * call queued behind the transaction that waited for it), and the queue stayed stuck: the service
 * stopped answering. On PostgreSQL the call committed on a connection of its own.
 */
describe('a custom grant whose storage calls run inside the unit of work (review: SQLite deadlock)', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ imports: [OneTimeTicketGrantModule], env: { DATABASE_TIMEOUT: '2' } });
    client = await t.createClient({ grantTypes: [ONE_TIME_TICKET_GRANT, 'refresh_token'] });
  });
  afterAll(() => t.close());

  const redeem = (ticket: string) =>
    t.http().post('/oauth/token').type('form').auth(client.clientId, client.clientSecret!).send({ grant_type: ONE_TIME_TICKET_GRANT, ticket, subject: 'dana' });

  it('answers 200, refuses the ticket a second time, and the service keeps answering', async () => {
    const started = Date.now();
    const first = await redeem('ticket-1');
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toEqual(expect.any(String));
    await redeem('ticket-1').expect(400, /invalid_grant/);
    await t.refresh(client, first.body.refresh_token).expect(200);
    const other = await t.createClient();
    const issued = await t.issueTokens(other);
    await t.refresh(other, issued.refresh_token!).expect(200);
    await t.http().get('/health/ready').expect(200);
    // Far below DATABASE_TIMEOUT (2 s) for all of the above: nothing waited on a stuck queue.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is atomic: when starting the family fails, the ticket is not used up and a retry succeeds', async () => {
    const failure = jest.spyOn(RefreshTokensRepository.prototype, 'createFamily').mockRejectedValueOnce(new Error('family insert failed'));
    await redeem('ticket-2').expect(500, /server_error/);
    failure.mockRestore();
    const retry = await redeem('ticket-2').expect(200);
    await t.refresh(client, retry.body.refresh_token).expect(200);
  });
});
