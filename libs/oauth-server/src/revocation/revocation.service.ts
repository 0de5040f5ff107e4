import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SecurityEvents } from '../events/security-events.service';
import { RefreshTokenStore } from '../token/refresh-tokens/refresh-token.store';
import type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
import { PresentedTokens } from '../token-status/presented-tokens.service';
import { RevokedAccessTokenEntity } from '../token-status/revoked-access-token.entity';
import { RevokedAccessTokensRepository } from '../token-status/revoked-access-tokens.repository';
import { isTokenTypeHint } from '../token-status/token-type-hint';

/** Who asks: an authenticated OAuth client may end only its own tokens; a trusted service any. */
export type RevocationCaller = { kind: 'client'; clientId: string } | { kind: 'service' };

/** RFC 7009. Used by the HTTP endpoint and by the `oauth.revoke` message pattern. */
@Injectable()
export class RevocationService {
  constructor(
    private readonly presented: PresentedTokens,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly revokedAccessTokens: RevokedAccessTokensRepository,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
  ) {}

  /**
   * True when this call ended a live token. Unknown, malformed, expired and already revoked tokens,
   * and tokens of another client, give false and change nothing (RFC 7009 §2.2: still a success).
   */
  async revoke(token: string, tokenTypeHint: string | undefined, caller: RevocationCaller): Promise<boolean> {
    // RFC 7009 §2.2: an invalid token_type_hint is ignored and does not influence the response;
    // unsupported_token_type (§2.2.1) never applies, as both token types can be revoked.
    const found = await this.presented.find(token, isTokenTypeHint(tokenTypeHint) ? tokenTypeHint : undefined);
    if (!found) return false;
    const owner = found.type === 'refresh_token' ? found.stored.family.clientId : found.claims.client_id;
    // RFC 7009 §2.1: the server verifies the token was issued to the client making the request.
    if (caller.kind === 'client' && caller.clientId !== owner) return false;
    const reason = caller.kind === 'client' ? 'client_revocation' : 'service_revocation';
    if (found.type === 'refresh_token') return this.revokeFamily(found.stored.family.id, owner, reason);
    return this.revokeAccessToken(found.claims);
  }

  /**
   * RFC 7009 §2.1: revoking a refresh token SHOULD also invalidate the access tokens of the same
   * grant. Revoking the family does both: its access tokens carry its id and are checked against it.
   */
  private async revokeFamily(familyId: string, clientId: string, reason: string): Promise<boolean> {
    const revoked = await this.refreshTokens.revokeFamily(familyId, this.clock.now(), reason);
    if (revoked) this.events.emit({ type: 'family_revoked', familyId, clientId, reason });
    return revoked;
  }

  private revokeAccessToken(claims: AccessTokenClaims): Promise<boolean> {
    const entry = Object.assign(new RevokedAccessTokenEntity(), {
      jti: claims.jti,
      clientId: claims.client_id,
      expiresAt: claims.exp * 1000,
      revokedAt: this.clock.now(),
    });
    return this.revokedAccessTokens.revoke(entry);
  }
}
