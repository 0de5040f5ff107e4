import { TestApp, TestClient } from './support/test-app';
import { TrustedSubjectGrantModule } from './support/trusted-subject-grant/trusted-subject-grant.module';
import { TRUSTED_SUBJECT_GRANT } from './support/trusted-subject-grant/trusted-subject-grant.service';

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('the grant-type extension point: a test-only grant added by importing a module', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ imports: [TrustedSubjectGrantModule] });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient({ grantTypes: [TRUSTED_SUBJECT_GRANT, 'refresh_token'] });
  });

  const token = (c: TestClient, body: Record<string, string>) =>
    t.http().post('/oauth/token').type('form').auth(c.clientId, c.clientSecret!).send({ grant_type: TRUSTED_SUBJECT_GRANT, ...body });

  it('is advertised in the metadata', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.grant_types_supported).toContain(TRUSTED_SUBJECT_GRANT);
  });

  it('issues tokens through the unchanged token endpoint, and they rotate like any other', async () => {
    const res = await token(client, { subject: 'carol', scope: 'read' }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
    expect(claims(res.body.access_token)).toMatchObject({ sub: 'carol', client_id: client.clientId });
    const rotated = await t.refresh(client, res.body.refresh_token).expect(200);
    expect(claims(rotated.body.access_token).sub).toBe('carol');
  });

  it('gets client authentication, the grant-type check and error bodies from the endpoint', async () => {
    await token({ clientId: client.clientId, clientSecret: 'wrong' }, { subject: 'carol' }).expect(401, /invalid_client/);
    const other = await t.createClient({ grantTypes: ['refresh_token'] });
    await token(other, { subject: 'carol' }).expect(400, /unauthorized_client/);
    const missing = await token(client, {}).expect(400);
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: "Missing required parameter 'subject'" });
    await token(client, { subject: 'carol', scope: 'admin' }).expect(400, /invalid_scope/);
  });
});

describe('without the module', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('the grant type is unsupported', async () => {
    const client = await t.createClient({ grantTypes: [TRUSTED_SUBJECT_GRANT] });
    const res = await t.http().post('/oauth/token').type('form').auth(client.clientId, client.clientSecret!).send({ grant_type: TRUSTED_SUBJECT_GRANT, subject: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });
});
