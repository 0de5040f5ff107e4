import { Inject, Injectable } from '@nestjs/common';
import { ClientsRepository } from '../clients/clients.repository';
import { Clock } from '../common/clock';
import { Scope } from '../common/scope';
import { RANDOM_TOKEN_SHAPE, sha256Hex } from '../common/secure-random';
import { appConfig, AppConfig } from '../config/app.config';
import { authorizationConfig, AuthorizationConfig } from '../config/authorization.config';
import { OAuthError } from '../oauth/oauth-error';
import { mintAuthorizationCode } from '../token/grants/authorization-code/authorization-code-factory';
import { authorizationResponseUrl } from './authorization-response';
import { LoginRequestEntity } from './login-request.entity';
import { LoginRequestsRepository } from './login-requests.repository';

export interface LoginRequestView {
  client_id: string;
  client_name: string;
  requested_scope: string;
  redirect_uri: string;
  /** Epoch seconds. */
  expires_at: number;
}

export interface AcceptLogin {
  subject: string;
  /** Narrows the requested scope (e.g. what the user consented to); omitted grants all of it. */
  scope?: string;
}

export interface RejectLogin {
  error: string;
  error_description?: string;
}

/** RFC 6749 §4.1.2.1 error codes a login application may answer with. */
export const LOGIN_REJECT_ERRORS = ['access_denied', 'temporarily_unavailable', 'server_error'];

/** The login application's side of a login request: read it, then accept or reject it once. */
@Injectable()
export class LoginRequestsService {
  constructor(
    private readonly requests: LoginRequestsRepository,
    private readonly clients: ClientsRepository,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(authorizationConfig.KEY) private readonly config: AuthorizationConfig,
  ) {}

  async get(challenge: string): Promise<LoginRequestView> {
    const request = await this.pending(challenge);
    const client = await this.clients.findById(request.clientId);
    return {
      client_id: request.clientId,
      client_name: client?.name ?? '',
      requested_scope: request.scope,
      redirect_uri: request.redirectUri,
      expires_at: Math.floor(request.expiresAt / 1000),
    };
  }

  async accept(challenge: string, input: AcceptLogin): Promise<{ redirect_to: string }> {
    const request = await this.pending(challenge);
    const scope = grantedScope(input.scope, request.scope);
    const now = this.clock.now();
    const code = mintAuthorizationCode({
      clientId: request.clientId,
      subject: input.subject,
      scope,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      dpopJkt: request.dpopJkt,
      issuedAt: now,
      ttlSeconds: this.config.authorizationCodeTtl,
    });
    await this.close(request, now, code.entity);
    return { redirect_to: authorizationResponseUrl(request.redirectUri, { code: code.value, state: request.state, iss: this.app.issuer }) };
  }

  async reject(challenge: string, input: RejectLogin): Promise<{ redirect_to: string }> {
    const request = await this.pending(challenge);
    await this.close(request, this.clock.now());
    const params = { error: input.error, error_description: input.error_description, state: request.state, iss: this.app.issuer };
    return { redirect_to: authorizationResponseUrl(request.redirectUri, params) };
  }

  private async pending(challenge: string): Promise<LoginRequestEntity> {
    const request = RANDOM_TOKEN_SHAPE.test(challenge) ? await this.requests.findByChallengeHash(sha256Hex(challenge)) : null;
    if (!request) throw new OAuthError('not_found', 'Unknown login challenge', 404);
    if (request.handledAt !== null) throw new OAuthError('gone', 'The login request was already handled', 410);
    if (this.clock.now() >= request.expiresAt) throw new OAuthError('gone', 'The login request has expired', 410);
    return request;
  }

  private async close(request: LoginRequestEntity, now: number, code?: Parameters<LoginRequestsRepository['handle']>[2]): Promise<void> {
    // Lost a race with another accept/reject of the same challenge, or expired meanwhile.
    if (!(await this.requests.handle(request.id, now, code))) {
      throw new OAuthError('gone', 'The login request was already handled', 410);
    }
  }
}

function grantedScope(accepted: string | undefined, requested: string): string {
  if (accepted === undefined) return requested;
  const scope = Scope.parseStrict(accepted);
  // RFC 6749 §3.3: the login app may grant less than was requested, never more.
  if (scope === null || !scope.isSubsetOf(Scope.parse(requested))) {
    throw OAuthError.invalidRequest('scope must be within the requested scope');
  }
  return scope.toString();
}
