import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { OAuthClient } from '../../../clients/oauth-client';
import { Clock } from '../../../common/clock';
import { resolveRequestedScope } from '../../../common/scope';
import { RANDOM_TOKEN_SHAPE } from '../../../common/secure-random';
import { SecurityEvents } from '../../../events/security-events.service';
import { OAuthError } from '../../../oauth/oauth-error';
import { verifierMatches } from '../../../oauth/pkce';
import { Transactions } from '../../../database/transactions.service';
import { RefreshTokenStore } from '../../refresh-tokens/refresh-token.store';
import { RefreshTokenFamilies } from '../../refresh-tokens/refresh-token-families.service';
import { TokenIssuer } from '../../token-issuer.service';
import type { TokenResponse } from '../../token-response';
import { GrantHandler, GrantType, TokenRequestContext } from '../grant-handler';
import { AuthorizationCodeEntity } from './authorization-code.entity';
import { hashAuthorizationCode } from './authorization-code-factory';
import { AuthorizationCodeStore } from './authorization-code.store';

/** Thrown inside the unit of work when another request consumed the code first: nothing of it is stored. */
class CodeAlreadyConsumed extends Error {}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6). Exchanges a code for an access token and, for a
 * client registered for refresh_token, the first refresh token of a new family. A code presented
 * a second time revokes that family (RFC 6749 §4.1.2). Rejections leave the code untouched.
 */
@Injectable()
@GrantType('authorization_code')
export class AuthorizationCodeGrantService implements GrantHandler {
  readonly parameters = ['code', 'redirect_uri', 'code_verifier'] as const;

  constructor(
    private readonly codes: AuthorizationCodeStore,
    private readonly families: RefreshTokenFamilies,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly transactions: Transactions,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
  ) {}

  async handle({ params, client, dpopJkt }: TokenRequestContext): Promise<TokenResponse> {
    const presented = params.require('code');
    const redirectUri = params.require('redirect_uri');
    const verifier = params.require('code_verifier');
    // Our codes are randomToken()s; anything else cannot be one (no lookup needed).
    if (!RANDOM_TOKEN_SHAPE.test(presented)) throw OAuthError.invalidGrant('code has the wrong shape');
    const found = await this.codes.findByHash(hashAuthorizationCode(presented));
    const now = this.clock.now();
    const code = await this.redeemable(found, client, redirectUri, verifier, now);
    // RFC 9449 §10: a code requested with dpop_jkt is redeemed only with a proof of that key.
    if (code.dpopJkt !== null && code.dpopJkt !== dpopJkt) throw OAuthError.invalidGrant('code is bound to another DPoP key (dpop_jkt)');
    if (!client.allowsGrant('refresh_token')) return this.accessTokenOnly(code, client, now, dpopJkt);
    const familyId = randomUUID();
    try {
      // One unit of work: the code is consumed and its family stored, or neither.
      return await this.transactions.run(async () => {
        if (!(await this.codes.consumeForFamily(code.id, now, familyId))) throw new CodeAlreadyConsumed();
        return this.families.start({ client, subject: code.subject, scope: code.scope, grantType: 'authorization_code', dpopJkt }, { familyId });
      });
    } catch (error) {
      if (error instanceof CodeAlreadyConsumed) await this.rejectReuse(await this.codes.findById(code.id), now);
      throw error;
    }
  }

  /** The code, when this client may redeem it now; else the invalid_grant it deserves. */
  private async redeemable(
    code: AuthorizationCodeEntity | null,
    client: OAuthClient,
    redirectUri: string,
    verifier: string,
    now: number,
  ): Promise<AuthorizationCodeEntity> {
    if (!code) throw OAuthError.invalidGrant('unknown code');
    // RFC 6749 §4.1.2: a code used more than once MUST be denied; tokens issued from it SHOULD be revoked.
    if (code.consumedAt !== null) await this.rejectReuse(code, now);
    // RFC 6749 §4.1.3: the code MUST have been issued to the authenticated client.
    if (code.clientId !== client.clientId) throw OAuthError.invalidGrant('code was issued to another client');
    if (now >= code.expiresAt) throw OAuthError.invalidGrant('code expired');
    // RFC 6749 §4.1.3: redirect_uri MUST be identical to the one of the authorization request.
    if (redirectUri !== code.redirectUri) throw OAuthError.invalidGrant('redirect_uri differs from the authorization request');
    // RFC 7636 §4.6: the verifier MUST hash to the challenge of the authorization request.
    if (!verifierMatches(verifier, code.codeChallenge)) throw OAuthError.invalidGrant('PKCE code_verifier does not match');
    return code;
  }

  /**
   * Signed before the code is consumed (nothing may fail after that commit), and its `jti` stored
   * with the code: a token from a code without a family can still be revoked on replay.
   */
  private async accessTokenOnly(code: AuthorizationCodeEntity, client: OAuthClient, now: number, dpopJkt?: string): Promise<TokenResponse> {
    // The same scope policy as a family's: still within what the client is registered for.
    const scope = resolveRequestedScope(code.scope, client.scope);
    const prepared = await this.issuer.prepareResponse({ subject: code.subject, clientId: client.clientId, scope, grantType: 'authorization_code', dpopJkt });
    if (!(await this.codes.consume(code.id, now, prepared.accessToken))) await this.rejectReuse(await this.codes.findById(code.id), now);
    prepared.announce();
    return prepared.response;
  }

  /** `code` is null when the retention cleanup deleted it while this request was underway. */
  private async rejectReuse(code: AuthorizationCodeEntity | null, now: number): Promise<never> {
    if (!code) throw OAuthError.invalidGrant('code expired');
    this.events.emit({ type: 'code_reuse_detected', clientId: code.clientId, familyId: code.familyId });
    if (code.familyId !== null && (await this.refreshTokens.revokeFamily(code.familyId, now, 'code_reused'))) {
      this.events.emit({ type: 'family_revoked', familyId: code.familyId, clientId: code.clientId, reason: 'code_reused' });
    }
    // RFC 6749 §4.1.2, §10.5: without a family the access token itself is revoked, by its id.
    await this.codes.revokeIssuedAccessToken(code, now);
    throw OAuthError.invalidGrant('authorization code used twice');
  }
}
