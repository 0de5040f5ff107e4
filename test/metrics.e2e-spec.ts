import { TestApp, TestClient } from './support/test-app';

describe('Prometheus metrics at /metrics', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
    client = await t.createClient();
  });
  afterAll(() => t.close());

  const scrape = async () => (await t.http().get('/metrics').expect(200).expect('content-type', /text\/plain/)).text;
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  it('counts tokens issued by grant type, reuse detections, family revocations and client authentication failures', async () => {
    const before = await scrape();
    const first = await t.issueTokens(client);
    const rotated = await t.refresh(client, first.refresh_token!).expect(200);
    await t.refresh(client, first.refresh_token!).expect(400); // reuse: revokes the family
    await t.refresh({ ...client, clientSecret: 'wrong' }, rotated.body.refresh_token).expect(401);
    const after = await scrape();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('oauth_tokens_issued_total{grant_type="bootstrap"}')).toBe(1);
    expect(delta('oauth_tokens_issued_total{grant_type="refresh_token"}')).toBe(1);
    expect(delta('oauth_refresh_token_reuse_detected_total')).toBe(1);
    expect(delta('oauth_token_family_revocations_total{reason="reuse_detected"}')).toBe(1);
    expect(delta('oauth_client_authentication_failures_total')).toBe(1);
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
