import { RefreshTokenEntity, TokenFamilyEntity } from 'nest-oauth-server';
import { DpopKey } from './support/dpop';
import { postAs } from './support/oauth-requests';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TestApp, TestClient } from './support/test-app';

/** RFC 9449 §8 server nonces (stateless, valid on every instance) and §11.1 replay across instances. */
describe('DPoP nonces and replay across two instances on one database', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let client: TestClient;
  let key: DpopKey;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DPOP_NONCE_REQUIRED: 'true' };
    a = await TestApp.create({ database, env });
    b = await TestApp.create({ database, env });
    client = await a.createClient({ grantTypes: ['client_credentials'] });
    key = await DpopKey.generate();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  const token = (t: TestApp, proof?: string) => {
    const req = postAs(t, '/oauth/token', client, { grant_type: 'client_credentials' });
    return proof === undefined ? req : req.set('DPoP', proof);
  };

  it('a proof without nonce gets 400 use_dpop_nonce with DPoP-Nonce; the nonce of one instance works on the other', async () => {
    const refused = await token(a, await key.proof(a)).expect(400);
    expect(refused.body.error).toBe('use_dpop_nonce');
    const nonce = refused.headers['dpop-nonce'];
    expect(nonce).toMatch(/^[\w-]{43}$/);
    const ok = await token(b, await key.proof(b, { nonce })).expect(200);
    expect(ok.body.token_type).toBe('DPoP');
    // RFC 9449 §8.2: every successful answer carries a current nonce.
    expect(ok.headers['dpop-nonce']).toMatch(/^[\w-]{43}$/);
  });

  it('a nonce stays valid for the next time step, not longer; a made-up nonce is refused', async () => {
    const nonce = (await token(a, await key.proof(a)).expect(400)).headers['dpop-nonce'];
    expect((await token(a, await key.proof(a, { nonce: 'x'.repeat(43) })).expect(400)).body.error).toBe('use_dpop_nonce');
    a.clock.advance(300);
    b.clock.advance(300);
    await token(a, await key.proof(a, { nonce })).expect(200);
    a.clock.advance(300);
    b.clock.advance(300);
    const stale = await token(b, await key.proof(b, { nonce })).expect(400);
    expect(stale.body.error).toBe('use_dpop_nonce');
    expect(stale.headers['dpop-nonce']).not.toBe(nonce);
  });

  it('a proof used on one instance is refused as a replay on the other', async () => {
    const nonce = (await token(a, await key.proof(a)).expect(400)).headers['dpop-nonce'];
    const proof = await key.proof(a, { nonce });
    await token(a, proof).expect(200);
    expect((await token(b, proof).expect(400)).body.error).toBe('invalid_dpop_proof');
  });

  it('the same proof sent to both instances at once succeeds exactly once', async () => {
    const nonce = (await token(a, await key.proof(a)).expect(400)).headers['dpop-nonce'];
    const proof = await key.proof(a, { nonce });
    const results = await Promise.all([a, b, a, b, a, b].map((t) => token(t, proof)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
  });

  it('20 concurrent refreshes of one bound token over both instances: one rotation, retries served to the limit, family kept', async () => {
    const publicClient = await a.createClient({ tokenEndpointAuthMethod: 'none', grantTypes: ['refresh_token'] });
    const nonce = (await token(a, await key.proof(a)).expect(400)).headers['dpop-nonce'];
    const first = await a.issueTokens(publicClient);
    const bind = await a.refresh(publicClient, first.refresh_token!).set('DPoP', await key.proof(a, { nonce })).expect(200);
    const proofs = await Promise.all(Array.from({ length: 20 }, () => key.proof(a, { nonce })));
    const results = await Promise.all(proofs.map((proof, i) => (i % 2 ? b : a).refresh(publicClient, bind.body.refresh_token).set('DPoP', proof)));
    const ok = results.filter((res) => res.status === 200);
    // One rotation plus REFRESH_TOKEN_RETRY_LIMIT (3, the default) retries; the rest invalid_grant.
    expect(ok).toHaveLength(4);
    expect(new Set(ok.map((res) => res.body.refresh_token)).size).toBe(1);
    expect(results.filter((res) => res.status !== 200).every((res) => res.status === 400 && res.body.error === 'invalid_grant')).toBe(true);
    const family = await a.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: publicClient.clientId });
    expect(family).toMatchObject({ revokedAt: null, dpopJkt: key.jkt });
    expect(await a.dataSource().getRepository(RefreshTokenEntity).countBy({ familyId: family.id, generation: 2 })).toBe(1);
  });

  it('without a proof nothing asks for a nonce (Bearer tokens as before)', async () => {
    expect((await token(a).expect(200)).body.token_type).toBe('Bearer');
  });
});
