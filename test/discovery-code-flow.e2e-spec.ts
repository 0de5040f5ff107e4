import { codeFlowEnv } from './support/code-flow';
import { TestApp } from './support/test-app';

describe('metadata with the code flow on (RFC 8414)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, ISSUER: 'https://auth.example' } });
  });
  afterAll(() => t.close());

  it('advertises the authorization endpoint, PKCE S256 and every grant type', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body).toMatchObject({
      issuer: 'https://auth.example',
      authorization_endpoint: 'https://auth.example/oauth/authorize',
      token_endpoint: 'https://auth.example/oauth/token',
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    });
  });
});
