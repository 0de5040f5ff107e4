import { Injectable } from '@nestjs/common';
import { OAuthError } from '../../../oauth/oauth-error';
import { AccessTokens } from '../../access-tokens.service';
import type { TokenResponse } from '../../token-response';
import { GrantHandler, GrantType, TokenRequestContext } from '../grant-handler';

/** RFC 6749 §4.4: the client acts on its own behalf; the subject of the token is the client. */
@Injectable()
@GrantType('client_credentials')
export class ClientCredentialsGrantService implements GrantHandler {
  readonly parameters = ['scope'] as const;

  constructor(private readonly accessTokens: AccessTokens) {}

  async handle({ params, client, dpopJkt }: TokenRequestContext): Promise<TokenResponse> {
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
    if (!client.isConfidential) {
      throw OAuthError.unauthorizedClient('Public clients cannot use the client_credentials grant');
    }
    // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included.
    return this.accessTokens.issue({ client, scope: params.get('scope'), dpopJkt, grantType: 'client_credentials' });
  }
}
