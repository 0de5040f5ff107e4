import { Injectable } from '@nestjs/common';
import type { ClientEntity } from '../../../clients/client.entity';
import { Scope } from '../../../common/scope';
import { OAuthError } from '../../../oauth/oauth-error';
import type { OAuthParams } from '../../../oauth/oauth-params';
import { TokenIssuer } from '../../token-issuer.service';
import type { TokenResponse } from '../../token-response';
import { GrantContext, GrantHandler, GrantType } from '../grant-handler';
import { parseRequestedScope, scopeWithin } from '../requested-scope';

/** RFC 6749 §4.4: the client acts on its own behalf; the subject of the token is the client. */
@Injectable()
@GrantType('client_credentials')
export class ClientCredentialsGrantService implements GrantHandler {
  constructor(private readonly issuer: TokenIssuer) {}

  async handle(params: OAuthParams, client: ClientEntity, context: GrantContext = {}): Promise<TokenResponse> {
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
    if (!client.isConfidential) {
      throw OAuthError.unauthorizedClient('Public clients cannot use the client_credentials grant');
    }
    const scope = grantedScope(params.get('scope'), client.scope);
    // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included.
    return this.issuer.bearerResponse({ subject: client.clientId, clientId: client.clientId, scope, grantType: 'client_credentials', dpopJkt: context.dpopJkt });
  }
}

/** RFC 6749 §3.3: the requested scope, within the client's; omitted means the client's whole scope. */
function grantedScope(requested: string | undefined, clientScope: string): string {
  const scope = parseRequestedScope(requested);
  if (scope === undefined) return Scope.parse(clientScope).toString();
  return scopeWithin(scope, clientScope, 'the scope registered for the client');
}
