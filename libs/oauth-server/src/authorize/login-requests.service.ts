import { Inject, Injectable } from '@nestjs/common';
import { ClientStore } from '../clients/client.store';
import { Clock } from '../common/clock';
import { hasControlCharacters } from '../common/control-characters';
import { resolveRequestedScope } from '../common/scope';
import { RANDOM_TOKEN_SHAPE, sha256Hex } from '../common/secure-random';
import { appConfig, AppConfig } from '../config/app.config';
import { authorizationConfig, AuthorizationConfig } from '../config/authorization.config';
import { OAuthError } from '../oauth/oauth-error';
import { mintAuthorizationCode } from '../token/grants/authorization-code/authorization-code-factory';
import { authorizationResponseUrl } from './authorization-response';
import { LoginRequestEntity } from './login-request.entity';
import { LoginRequestStore } from './login-request.store';

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

// RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
const ERROR_DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,500}$/;

/** RFC 6749 §4.1.2.1 error codes a login application may answer with. */
export const LOGIN_REJECT_ERRORS = ['access_denied', 'temporarily_unavailable', 'server_error'];

/** The login application's side of a login request: read it, then accept or reject it once. */
@Injectable()
export class LoginRequestsService {
  constructor(
    private readonly requests: LoginRequestStore,
    private readonly clients: ClientStore,
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
    assertSubject(input.subject);
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
    assertRejection(input);
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

  private async close(request: LoginRequestEntity, now: number, code?: Parameters<LoginRequestStore['handle']>[2]): Promise<void> {
    // Lost a race with another accept/reject of the same challenge, or expired meanwhile.
    if (!(await this.requests.handle(request.id, now, code))) {
      throw new OAuthError('gone', 'The login request was already handled', 410);
    }
  }
}

/** RFC 6749 §3.3: the login app may grant less than was requested, never more (the one scope policy). */
function grantedScope(accepted: string | undefined, requested: string): string {
  try {
    return resolveRequestedScope(accepted, requested, 'the requested scope');
  } catch (error) {
    // The login app's mistake, not the client's: its API answers invalid_request.
    if (error instanceof OAuthError) throw OAuthError.invalidRequest('scope must be within the requested scope', error.description);
    throw error;
  }
}

/** The subject becomes the tokens' `sub`: a non-empty printable string of at most 255 characters. */
function assertSubject(subject: unknown): asserts subject is string {
  if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 255 || hasControlCharacters(subject)) {
    throw OAuthError.invalidRequest('subject must be a non-empty string of at most 255 characters');
  }
}

function assertRejection({ error, error_description: description }: RejectLogin): void {
  if (typeof error !== 'string' || !LOGIN_REJECT_ERRORS.includes(error)) {
    throw OAuthError.invalidRequest(`error must be one of ${LOGIN_REJECT_ERRORS.join(', ')}`);
  }
  if (description !== undefined && (typeof description !== 'string' || !ERROR_DESCRIPTION.test(description))) {
    throw OAuthError.invalidRequest('error_description must be 1-500 printable ASCII characters without " or \\');
  }
}
