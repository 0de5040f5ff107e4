import { ClientEntity } from '../clients/client.entity';
import type { ClientsRepository } from '../clients/clients.repository';
import type { Clock } from '../common/clock';
import type { AppConfig } from '../config/app.config';
import type { AuthorizationConfig } from '../config/authorization.config';
import type { LoginRequestsRepository } from './login-requests.repository';
import type { PushedAuthorizationRequestsRepository } from './pushed-authorization-requests.repository';
import { AuthorizeService } from './authorize.service';

const REDIRECT_URI = 'https://app.example/callback';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/**
 * Hostile-input findings (test/hostile-input.e2e-spec.ts on PostgreSQL): a NUL in client_id or in
 * state reached the database, which PostgreSQL refuses as a query error, so the endpoint answered
 * 500. Control characters must be refused before any query.
 */
describe('AuthorizeService: input with control characters never reaches the database', () => {
  const client = Object.assign(new ClientEntity(), {
    clientId: 'c1',
    redirectUris: [REDIRECT_URI],
    grantTypes: ['authorization_code'],
    scope: 'read',
    disabledAt: null,
  });
  let findById: jest.Mock;
  let insert: jest.Mock;
  let service: AuthorizeService;

  beforeEach(() => {
    findById = jest.fn(async (id: string) => (id === client.clientId ? client : null));
    insert = jest.fn(async () => undefined);
    service = authorizeService('https://as.example', 'https://login.example/login');
  });

  const authorizeService = (issuer: string, loginUrl: string) =>
    new AuthorizeService(
      { findById } as unknown as ClientsRepository,
      { insert } as unknown as LoginRequestsRepository,
      {} as PushedAuthorizationRequestsRepository,
      { now: () => 0 } as Clock,
      { issuer } as AppConfig,
      { loginUrl, loginRequestTtl: 600, authorizationCodeTtl: 60 } as AuthorizationConfig,
    );

  const query = (extra: Record<string, string>) =>
    new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra });

  it.each(['c\u0000', '\u0000', 'c1\u001f', 'c\u007f', 'ç1'])('client_id %j is no client: error page, no query', async (clientId) => {
    expect(await service.authorize(query({ client_id: clientId }))).toEqual({ errorPage: expect.any(String) });
    expect(findById).not.toHaveBeenCalled();
  });

  it.each(['a\u0000b', '\u0000', 'x\r\ny', 'tab\there'])('state %j → invalid_request redirect, not echoed, nothing stored', async (state) => {
    const outcome = (await service.authorize(query({ state }))) as { redirectTo: string };
    const params = new URL(outcome.redirectTo).searchParams;
    expect(params.get('error')).toBe('invalid_request');
    expect(params.has('state')).toBe(false);
    expect(insert).not.toHaveBeenCalled();
  });

  it('a printable state is stored and echoed as before', async () => {
    const outcome = (await service.authorize(query({ state: 'xyz é' }))) as { redirectTo: string };
    expect(outcome.redirectTo).toMatch(/^https:\/\/login\.example\/login\?login_challenge=/);
    expect(insert).toHaveBeenCalledWith(expect.objectContaining({ state: 'xyz é' }), 0);
  });

  it("a path-only login URL is the host's own page on the issuer's origin", async () => {
    const hosted = authorizeService('https://as.example/tenant', '/login');
    const outcome = (await hosted.authorize(query({ state: 's' }))) as { redirectTo: string };
    expect(outcome.redirectTo).toMatch(/^https:\/\/as\.example\/login\?login_challenge=/);
  });

  it('no scope requested of a client registered with none → an empty grant, never more (RFC 6749 §3.3)', async () => {
    findById.mockResolvedValue(Object.assign(new ClientEntity(), { ...client, scope: '' }));
    await service.authorize(query({ state: 's' }));
    expect(insert).toHaveBeenCalledWith(expect.objectContaining({ scope: '' }), 0);
  });
});
