import { Injectable } from '@nestjs/common';
import { hashRefreshToken, REFRESH_TOKEN_SHAPE } from '../token/refresh-tokens/refresh-token-factory';
import { RefreshTokenStore, StoredRefreshToken } from '../token/refresh-tokens/refresh-token.store';
import { AccessTokenClaims, AccessTokenVerifier } from './access-token-verifier.service';
import type { TokenTypeHint } from './token-type-hint';

export type PresentedToken =
  | { type: 'refresh_token'; stored: StoredRefreshToken }
  | { type: 'access_token'; claims: AccessTokenClaims };

/**
 * Finds what a token presented to revocation or introspection is: one of our refresh tokens (in
 * any state), or one of our access tokens that verifies and has not expired. Else null.
 */
@Injectable()
export class PresentedTokens {
  constructor(
    private readonly refreshTokens: RefreshTokenStore,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async find(token: string, hint?: TokenTypeHint): Promise<PresentedToken | null> {
    // RFC 7009 §2.1, RFC 7662 §2.1: the hint only orders the search; a wrong hint MUST still
    // find the token among every type the server supports.
    const asRefresh = () => this.refreshToken(token);
    const asAccess = () => this.accessToken(token);
    const [first, second] = hint === 'access_token' ? [asAccess, asRefresh] : [asRefresh, asAccess];
    return (await first()) ?? (await second());
  }

  private async refreshToken(token: string): Promise<PresentedToken | null> {
    // Refresh tokens are randomToken()s (refresh-token-factory.ts); nothing else is looked up.
    if (!REFRESH_TOKEN_SHAPE.test(token)) return null;
    const stored = await this.refreshTokens.findByHash(hashRefreshToken(token));
    return stored && { type: 'refresh_token', stored };
  }

  private async accessToken(token: string): Promise<PresentedToken | null> {
    const claims = await this.verifier.verify(token);
    return claims && { type: 'access_token', claims };
  }
}
