import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ClientStore } from '../clients/client.store';
import { Clock } from '../common/clock';
import { appConfig, AppConfig } from '../config/app.config';
import type { StoredRefreshToken } from '../token/refresh-tokens/refresh-tokens.repository';
import type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
import { PresentedTokens } from '../token-status/presented-tokens.service';
import { RevokedAccessTokensRepository } from '../token-status/revoked-access-tokens.repository';
import { isTokenTypeHint } from '../token-status/token-type-hint';
import { ActiveTokenIntrospection, INACTIVE, IntrospectionResponse } from './introspection-response';

/** RFC 7662. Used by the HTTP endpoint and by the `oauth.introspect` message pattern. */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly presented: PresentedTokens,
    private readonly revokedAccessTokens: RevokedAccessTokensRepository,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly clients: ClientStore,
  ) {}

  async introspect(token: string, tokenTypeHint?: string): Promise<IntrospectionResponse> {
    // RFC 7662 §2.1: an unknown hint is no reason to fail; the search covers every type anyway.
    const found = await this.presented.find(token, isTokenTypeHint(tokenTypeHint) ? tokenTypeHint : undefined);
    if (!found) return INACTIVE;
    const response = found.type === 'refresh_token' ? this.refreshToken(found.stored) : await this.accessToken(found.claims);
    return response.active ? this.ofEnabledClient(response) : INACTIVE;
  }

  /**
   * A disabled or deleted client's tokens are inactive (RFC 7662 §2.2: "active" means currently
   * valid at this authorization server, and the grant behind a disabled client no longer is). Its
   * families are revoked at disable as well; this also covers tokens without a family
   * (client_credentials) and an instant of overlap with the disable.
   */
  private async ofEnabledClient(response: ActiveTokenIntrospection): Promise<IntrospectionResponse> {
    const client = await this.clients.findById(response.client_id);
    if (client === null || client.disabledAt !== null) return INACTIVE;
    // Issued before the client's last disable: ended by it, and not revived by the enable (review
    // M5). `iat` has whole seconds: a token of the disable's own second counts as before it (<=).
    if (client.tokensValidAfter !== null && response.iat * 1000 <= client.tokensValidAfter) return INACTIVE;
    return response;
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
      // Not the row id: row ids salt the derivation of successors (refresh-token-factory), and no
      // internal id belongs in a response. A digest of the stored hash names the token stably.
      jti: refreshTokenJti(token.tokenHash),
      // No token_type: see ActiveTokenIntrospection (RFC 7662 §2.2 registered types only).
      ...(family.dpopJkt === null ? {} : { cnf: { jkt: family.dpopJkt } }),
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
      // RFC 9449 §6.2: a bound token introspects with its cnf and the DPoP token type.
      token_type: claims.cnf === undefined ? 'Bearer' : 'DPoP',
      ...(claims.cnf === undefined ? {} : { cnf: claims.cnf }),
    };
  }
}

/** An opaque, stable identifier of a refresh token that reveals no row id (128 bits, base64url). */
export function refreshTokenJti(tokenHash: string): string {
  return createHash('sha256').update(`refresh_token jti\0${tokenHash}`, 'utf8').digest('base64url').slice(0, 22);
}
