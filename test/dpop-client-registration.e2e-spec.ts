import { commands } from '../src/cli/commands';
import { ADMIN_API_KEY, codeFlowEnv } from './support/code-flow';
import { DpopKey } from './support/dpop';
import { postAs } from './support/oauth-requests';
import { TestApp } from './support/test-app';

/** RFC 9449 §5.2 `dpop_bound_access_tokens`: set by clients:create --dpop-bound, clients:update and PATCH /admin/clients. */
describe('dpop_bound_access_tokens client field', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: codeFlowEnv });
  });
  afterAll(() => t.close());

  const clientCredentials = (clientId: string, clientSecret: string, proof?: string) => {
    const req = postAs(t, '/oauth/token', { clientId, clientSecret }, { grant_type: 'client_credentials' });
    return proof === undefined ? req : req.set('DPoP', proof);
  };

  it('clients:create --dpop-bound registers it; the client then needs a proof on every token request', async () => {
    const created = (await commands['clients:create'].run(t.app, ['--name', 'bound', '--grant-types', 'client_credentials', '--dpop-bound'])) as Record<string, string>;
    expect(created.dpop_bound_access_tokens).toBe(true);
    expect((await clientCredentials(created.client_id, created.client_secret).expect(400)).body.error).toBe('invalid_dpop_proof');
    const key = await DpopKey.generate();
    await clientCredentials(created.client_id, created.client_secret, await key.proof(t)).expect(200);
    const plain = (await commands['clients:create'].run(t.app, ['--name', 'plain'])) as Record<string, unknown>;
    expect(plain.dpop_bound_access_tokens).toBe(false);
  });

  it('clients:update --dpop-bound and PATCH /admin/clients switch it', async () => {
    const created = (await commands['clients:create'].run(t.app, ['--name', 'c', '--grant-types', 'client_credentials'])) as Record<string, string>;
    await clientCredentials(created.client_id, created.client_secret).expect(200);
    const updated = (await commands['clients:update'].run(t.app, [created.client_id, '--dpop-bound', 'true'])) as Record<string, unknown>;
    expect(updated.dpop_bound_access_tokens).toBe(true);
    await clientCredentials(created.client_id, created.client_secret).expect(400);
    const patched = await t.http().patch(`/admin/clients/${created.client_id}`).set('Authorization', `Bearer ${ADMIN_API_KEY}`).send({ dpop_bound_access_tokens: false }).expect(200);
    expect(patched.body.dpop_bound_access_tokens).toBe(false);
    await clientCredentials(created.client_id, created.client_secret).expect(200);
    await t.http().patch(`/admin/clients/${created.client_id}`).set('Authorization', `Bearer ${ADMIN_API_KEY}`).send({ dpop_bound_access_tokens: 'yes' }).expect(400);
  });
});
