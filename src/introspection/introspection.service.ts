import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { appConfig, AppConfig } from '../config/app.config';
import type { StoredRefreshToken } from '../token/refresh-tokens/refresh-tokens.repository';
import type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
import { PresentedTokens } from '../token-status/presented-tokens.service';
import { RevokedAccessTokensRepository } from '../token-status/revoked-access-tokens.repository';
import { isTokenTypeHint } from '../token-status/token-type-hint';
import { INACTIVE, IntrospectionResponse } from './introspection-response';

/** RFC 7662. Used by the HTTP endpoint and by the `oauth.introspect` message pattern. */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly presented: PresentedTokens,
    private readonly revokedAccessTokens: RevokedAccessTokensRepository,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async introspect(token: string, tokenTypeHint?: string): Promise<IntrospectionResponse> {
    // RFC 7662 §2.1: an unknown hint is no reason to fail; the search covers every type anyway.
    const found = await this.presented.find(token, isTokenTypeHint(tokenTypeHint) ? tokenTypeHint : undefined);
    if (!found) return INACTIVE;
    return found.type === 'refresh_token' ? this.refreshToken(found.stored) : this.accessToken(found.claims);
  }

  /** Live means: not yet rotated, family not revoked, within both idle and absolute lifetimes. */
  private refreshToken({ token, family }: StoredRefreshToken): IntrospectionResponse {
    const now = this.clock.now();
    const live = token.consumedAt === null && family.revokedAt === null && now < token.expiresAt && now < family.expiresAt;
    if (!live) return INACTIVE;
    return {
      active: true,
      scope: family.scope,
      client_id: family.clientId,
      sub: family.subject,
      exp: Math.floor(Math.min(token.expiresAt, family.expiresAt) / 1000),
      iat: Math.floor(token.issuedAt / 1000),
      iss: this.app.issuer,
      // A refresh token is only ever presented back to this authorization server.
      aud: this.app.issuer,
      jti: token.id,
      // No token_type: see ActiveTokenIntrospection (RFC 7662 §2.2 registered types only).
    };
  }

  /** Signature, typ, iss and exp were checked by the verifier; revocation state is checked here. */
  private async accessToken(claims: AccessTokenClaims): Promise<IntrospectionResponse> {
    if (await this.revokedAccessTokens.isAccessTokenRevoked(claims.jti, claims.familyId)) return INACTIVE;
    return {
      active: true,
      scope: claims.scope ?? '',
      client_id: claims.client_id,
      sub: claims.sub,
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      jti: claims.jti,
      token_type: 'Bearer',
    };
  }
}
