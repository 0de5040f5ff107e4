import { Injectable } from '@nestjs/common';
import { GrantHandler, GrantType, OAuthError, RefreshTokenFamilies, type TokenEndpointResponse, TokenRequestContext } from 'nest-oauth-server';

export const TRUSTED_SUBJECT_GRANT = 'urn:example:params:oauth:grant-type:trusted-subject';

/**
 * The README's "Adding a grant type" example, used by the e2e suite: a first-party back end that
 * has already authenticated a user asks for that user's tokens. Client authentication, the
 * client's grant-type check, form parsing, the scope policy and error bodies all come from the
 * library; the response may carry a field of the grant's own.
 */
@Injectable()
@GrantType(TRUSTED_SUBJECT_GRANT)
export class TrustedSubjectGrantService implements GrantHandler {
  readonly parameters = ['subject', 'scope'] as const;

  constructor(private readonly families: RefreshTokenFamilies) {}

  async handle({ params, client, dpopJkt }: TokenRequestContext): Promise<TokenEndpointResponse> {
    if (!client.isConfidential) throw OAuthError.unauthorizedClient('Only confidential clients may assert a subject');
    const subject = params.require('subject');
    // A new token family: an access token and a rotating refresh token.
    const tokens = await this.families.start({ client, subject, scope: params.get('scope'), grantType: TRUSTED_SUBJECT_GRANT, dpopJkt });
    return { ...tokens, subject_asserted: true };
  }
}
