import { startMetricsListener } from '../src/metrics/metrics-listener';
import { FirstPartyIssuanceService } from '../src/microservice/first-party-issuance.service';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { freePort } from './support/free-port';
import { revoke } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';
import { TrustedSubjectGrantModule } from './support/trusted-subject-grant/trusted-subject-grant.module';
import { TRUSTED_SUBJECT_GRANT } from './support/trusted-subject-grant/trusted-subject-grant.service';

const REUSE_INTERVAL = 30;

describe('Prometheus metrics at /metrics', () => {
  let t: TestApp;
  let client: TestClient;
  let flow: CodeFlow;

  let metricsUrl: string;

  beforeAll(async () => {
    // Scraped the way production does: on the metrics listener (METRICS_PORT), not the public port.
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    t = await TestApp.create({
      env: { ...codeFlowEnv, REFRESH_TOKEN_REUSE_INTERVAL: String(REUSE_INTERVAL), METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
      imports: [TrustedSubjectGrantModule],
      beforeInit: (app) => startMetricsListener(app),
    });
    flow = new CodeFlow(t);
    client = await t.createClient();
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    return res.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  /** Runs `act` and returns the change of each series across it. */
  const deltas = async (act: () => Promise<unknown>) => {
    const before = await scrape();
    await act();
    const after = await scrape();
    return (series: string) => value(after, series) - value(before, series);
  };
  const issued = (grantType: string) => `oauth_tokens_issued_total{grant_type="${grantType}"}`;
  const revocations = (reason: string) => `oauth_token_family_revocations_total{reason="${reason}"}`;
  const issuedTotal = (text: string) =>
    text.split('\n').filter((l) => l.startsWith('oauth_tokens_issued_total{')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);

  it('counts every token response once, by grant type, for every grant and bootstrap path', async () => {
    const before = await scrape();
    const bootstrap = await t.issueTokens(client); // tokens:issue goes through the same service
    await t.get(FirstPartyIssuanceService).issue(client.clientId, 'carol'); // microservice oauth.issue
    await t.refresh(client, bootstrap.refresh_token!).expect(200);

    const machine = await t.createClient({ grantTypes: ['client_credentials'] });
    await t.http().post('/oauth/token').type('form').auth(machine.clientId, machine.clientSecret!).send({ grant_type: 'client_credentials' }).expect(200);

    const codeClient = await flow.createClient();
    const pkce = pkcePair();
    await flow.exchange(codeClient, await flow.code(codeClient, pkce.challenge), pkce.verifier).expect(200);
    const codeOnly = await flow.createClient({ grantTypes: ['authorization_code'] });
    const pkce2 = pkcePair();
    const accessOnly = await flow.exchange(codeOnly, await flow.code(codeOnly, pkce2.challenge), pkce2.verifier).expect(200);
    expect(accessOnly.body.refresh_token).toBeUndefined();

    const extension = await t.createClient({ grantTypes: [TRUSTED_SUBJECT_GRANT, 'refresh_token'] });
    await t.http().post('/oauth/token').type('form').auth(extension.clientId, extension.clientSecret!)
      .send({ grant_type: TRUSTED_SUBJECT_GRANT, subject: 'dave' }).expect(200);

    // Rejected requests issue nothing.
    await t.refresh(client, 'x'.repeat(43)).expect(400);
    await t.http().post('/oauth/token').type('form').auth(machine.clientId, machine.clientSecret!).send({ grant_type: 'client_credentials', scope: 'admin' }).expect(400);

    const after = await scrape();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta(issued('bootstrap'))).toBe(1);
    expect(delta(issued('first_party'))).toBe(1);
    expect(delta(issued('refresh_token'))).toBe(1);
    expect(delta(issued('client_credentials'))).toBe(1);
    expect(delta(issued('authorization_code'))).toBe(2);
    expect(delta(issued(TRUSTED_SUBJECT_GRANT))).toBe(1);
    // No double counting: exactly one increment per 200 response above.
    expect(issuedTotal(after) - issuedTotal(before)).toBe(7);
  });

  it('counts a served retry as a token response and as a retry, not as reuse', async () => {
    const first = await t.issueTokens(client);
    const delta = await deltas(async () => {
      const rotated = await t.refresh(client, first.refresh_token!).expect(200);
      const retried = await t.refresh(client, first.refresh_token!).expect(200);
      expect(retried.body.refresh_token).toBe(rotated.body.refresh_token);
    });
    expect(delta(issued('refresh_token'))).toBe(2);
    expect(delta('oauth_refresh_token_retry_served_total')).toBe(1);
    expect(delta('oauth_refresh_token_reuse_detected_total')).toBe(0);
    expect(delta(revocations('reuse_detected'))).toBe(0);
  });

  it('counts reuse detections, client authentication failures and the revocation they cause', async () => {
    const first = await t.issueTokens(client);
    const delta = await deltas(async () => {
      const rotated = await t.refresh(client, first.refresh_token!).expect(200);
      t.clock.advance(REUSE_INTERVAL + 1);
      await t.refresh(client, first.refresh_token!).expect(400); // reuse: revokes the family
      await t.refresh(client, first.refresh_token!).expect(400); // the family is already revoked
      await t.refresh({ ...client, clientSecret: 'wrong' }, rotated.body.refresh_token).expect(401);
    });
    expect(delta('oauth_refresh_token_reuse_detected_total')).toBe(1);
    expect(delta(revocations('reuse_detected'))).toBe(1);
    expect(delta('oauth_client_authentication_failures_total')).toBe(1);
  });

  it('counts family revocations from the revocation endpoint, the admin API and a reused authorization code', async () => {
    const viaEndpoint = await t.issueTokens(client);
    const viaAdmin = await t.issueTokens(client, 'erin');
    await t.issueTokens(client, 'erin');
    const codeClient = await flow.createClient();
    const pkce = pkcePair();
    const code = await flow.code(codeClient, pkce.challenge);
    const delta = await deltas(async () => {
      await revoke(t, client, { token: viaEndpoint.refresh_token! }).expect(200);
      await revoke(t, client, { token: viaEndpoint.refresh_token! }).expect(200); // already revoked: not counted again
      await flow.admin('delete', '/token-families?subject=erin').expect(200, /"revoked":2/);
      await flow.exchange(codeClient, code, pkce.verifier).expect(200);
      await flow.exchange(codeClient, code, pkce.verifier).expect(400, /invalid_grant/);
    });
    expect(viaAdmin.refresh_token).toBeDefined();
    expect(delta(revocations('client_revocation'))).toBe(1);
    expect(delta(revocations('admin_revoked'))).toBe(2);
    expect(delta(revocations('code_reused'))).toBe(1);
    expect(delta('oauth_authorization_code_reuse_detected_total')).toBe(1);
  });

  it('has a request latency histogram labelled by route pattern and status, not by raw URL', async () => {
    await t.http().get('/no/such/path/123').expect(404);
    const text = await scrape();
    expect(value(text, 'http_request_duration_seconds_count{method="POST",route="/oauth/token",status_code="200"}')).toBeGreaterThan(0);
    expect(value(text, 'http_request_duration_seconds_count{method="POST",route="/oauth/token",status_code="401"}')).toBeGreaterThan(0);
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="POST",route="/oauth/token",status_code="200"}');
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBe(1);
    expect(text).not.toContain('/no/such/path');
  });
});
