import { DpopKey } from './support/dpop';
import { postAs, revoke } from './support/oauth-requests';
import { ProtectedApiModule } from './support/protected-api/protected-api.module';
import { TestApp, TestClient } from './support/test-app';

const API_URL = 'http://localhost:3000/api/me';

/** The exported resource-server guard: RFC 6750 Bearer and RFC 9449 §7 DPoP access. */
describe('resource-server guard (@RequireAccessToken)', () => {
  let t: TestApp;
  let client: TestClient;
  let key: DpopKey;

  beforeAll(async () => {
    t = await TestApp.create({ imports: [ProtectedApiModule] });
    client = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read write' });
    key = await DpopKey.generate();
  });
  afterAll(() => t.close());

  async function tokenFor(proofKey?: DpopKey, scope = 'read') {
    const req = postAs(t, '/oauth/token', client, { grant_type: 'client_credentials', scope });
    if (proofKey) req.set('DPoP', await proofKey.proof(t));
    return (await req.expect(200)).body.access_token as string;
  }
  const me = () => t.http().get('/api/me?x=1');

  it('accepts a DPoP-bound token with a proof of its key (ath, htm, htu of the API request)', async () => {
    const token = await tokenFor(key);
    const res = await me().set('Authorization', `DPoP ${token}`).set('DPoP', await key.proof(t, { htm: 'GET', htu: API_URL, accessToken: token })).expect(200);
    expect(res.body).toEqual({ sub: client.clientId, client_id: client.clientId });
  });

  it.each([
    ['no proof', async () => undefined],
    ['a proof without ath', async () => key.proof(t, { htm: 'GET', htu: API_URL })],
    ['a proof for another token', async (token: string) => key.proof(t, { htm: 'GET', htu: API_URL, accessToken: `${token}x` })],
    ['a proof by another key', async (token: string) => (await DpopKey.generate()).proof(t, { htm: 'GET', htu: API_URL, accessToken: token })],
    ['a proof for another method', async (token: string) => key.proof(t, { htm: 'POST', htu: API_URL, accessToken: token })],
    ['a proof for another URL', async (token: string) => key.proof(t, { htm: 'GET', htu: 'http://localhost:3000/api/other', accessToken: token })],
  ])('refuses a DPoP-bound token with %s: 401 invalid_dpop_proof, WWW-Authenticate: DPoP', async (_name, make) => {
    const token = await tokenFor(key);
    const proof = await make(token);
    const req = me().set('Authorization', `DPoP ${token}`);
    const res = await (proof === undefined ? req : req.set('DPoP', proof)).expect(401);
    expect(res.body.error).toBe('invalid_dpop_proof');
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof", algs="ES256 EdDSA RS256 PS256"$/);
  });

  it('refuses a replayed proof', async () => {
    const token = await tokenFor(key);
    const proof = await key.proof(t, { htm: 'GET', htu: API_URL, accessToken: token });
    await me().set('Authorization', `DPoP ${token}`).set('DPoP', proof).expect(200);
    expect((await me().set('Authorization', `DPoP ${token}`).set('DPoP', proof).expect(401)).body.error).toBe('invalid_dpop_proof');
  });

  it('a DPoP-bound token presented as Bearer is refused with WWW-Authenticate: DPoP (§7.2)', async () => {
    const token = await tokenFor(key);
    const res = await me().set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.error).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token"/);
  });

  it('accepts an unbound token as Bearer, not with the DPoP scheme', async () => {
    const token = await tokenFor();
    await me().set('Authorization', `Bearer ${token}`).expect(200);
    const dpop = await me().set('Authorization', `DPoP ${token}`).set('DPoP', await key.proof(t, { htm: 'GET', htu: API_URL, accessToken: token })).expect(401);
    expect(dpop.body.error).toBe('invalid_token');
  });

  it('no credentials: 401 with both challenges; a forged or revoked token: invalid_token', async () => {
    const none = await me().expect(401);
    expect(none.headers['www-authenticate']).toBe('DPoP algs="ES256 EdDSA RS256 PS256", Bearer');
    await me().set('Authorization', 'Bearer a.b.c').expect(401);
    const token = await tokenFor();
    await revoke(t, client, { token }).expect(200);
    const revoked = await me().set('Authorization', `Bearer ${token}`).expect(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('a route requiring a scope the token lacks: 403 insufficient_scope', async () => {
    const token = await tokenFor(undefined, 'read');
    const res = await t.http().post('/api/write').set('Authorization', `Bearer ${token}`).expect(403);
    expect(res.body.error).toBe('insufficient_scope');
    await t.http().post('/api/write').set('Authorization', `Bearer ${await tokenFor(undefined, 'write')}`).expect(201);
  });
});
