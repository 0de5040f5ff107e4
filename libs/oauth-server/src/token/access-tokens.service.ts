import { Injectable } from '@nestjs/common';
import type { OAuthClient } from '../clients/oauth-client';
import { resolveRequestedScope } from '../common/scope';
import { OAuthError } from '../oauth/oauth-error';
import { TokenIssuer } from './token-issuer.service';
import { currentGrantType } from './token-request-scope';
import type { TokenResponse } from './token-response';

/** An access token alone, for a client (and by default on its own behalf). */
export interface IssueAccessTokenRequest {
  client: OAuthClient;
  /** Whom the token is about; the client itself when omitted (RFC 6749 §4.4). */
  subject?: string;
  /** The requested scope; omitted means the client's registered scope (RFC 6749 §3.3). */
  scope?: string;
  /** RFC 9449: the verified DPoP key of the request; the token is bound to it (§6). */
  dpopJkt?: string;
  /** For events and metrics; defaults to the grant type of the token request underway. */
  grantType?: string;
}

/**
 * An RFC 6749 §5.1 response with an access token and no refresh token, for grants that start
 * no family (client_credentials, RFC 6749 §4.4.3). The scope goes through the one scope policy.
 */
@Injectable()
export class AccessTokens {
  constructor(private readonly issuer: TokenIssuer) {}

  async issue(request: IssueAccessTokenRequest): Promise<TokenResponse> {
    const { client } = request;
    if (!client.enabled) throw OAuthError.invalidRequest('There is no enabled client with this client_id');
    const scope = resolveRequestedScope(request.scope, client.scope);
    const grantType = request.grantType ?? currentGrantType() ?? 'access_token';
    return this.issuer.bearerResponse({ subject: request.subject ?? client.clientId, clientId: client.clientId, scope, grantType, dpopJkt: request.dpopJkt });
  }
}
