import { Injectable } from '@nestjs/common';
import { type ClientEntity, GrantHandler, GrantType, OAuthError, type OAuthParams, Scope, TokenFamiliesService, type TokenResponse } from 'nest-oauth-server';

export const TRUSTED_SUBJECT_GRANT = 'urn:example:params:oauth:grant-type:trusted-subject';

/**
 * The README's "Adding a grant type" example, used by the e2e suite: a first-party back end that
 * has already authenticated a user asks for that user's tokens. Client authentication, the
 * client's grant-type check, form parsing and error bodies all come from the token endpoint.
 */
@Injectable()
@GrantType(TRUSTED_SUBJECT_GRANT)
export class TrustedSubjectGrantService implements GrantHandler {
  constructor(private readonly families: TokenFamiliesService) {}

  async handle(params: OAuthParams, client: ClientEntity): Promise<TokenResponse> {
    if (!client.isConfidential) throw OAuthError.unauthorizedClient('Only confidential clients may assert a subject');
    const subject = params.require('subject');
    const requested = Scope.parseStrict(params.get('scope') ?? client.scope);
    if (requested === null || !requested.isSubsetOf(Scope.parse(client.scope))) {
      throw OAuthError.invalidScope('The requested scope exceeds the scope registered for the client');
    }
    // A new token family: an access token and a rotating refresh token.
    return this.families.startFamily(client, subject, requested.toString(), TRUSTED_SUBJECT_GRANT);
  }
}
