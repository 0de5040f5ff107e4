import { TestApp, TestClient } from './support/test-app';

describe('refresh_token grant (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient();
  });

  it('rotates: a new access token and a new refresh token, the old one retired', async () => {
    const first = await t.issueTokens(client);
    const res = await t.refresh(client, first.refresh_token!).expect(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'read write',
    });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  });
});
