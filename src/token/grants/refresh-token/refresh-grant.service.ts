import { Inject, Injectable } from '@nestjs/common';
import type { ClientEntity } from '../../../clients/client.entity';
import { Clock } from '../../../common/clock';
import type { Scope } from '../../../common/scope';
import { tokenConfig, TokenConfig } from '../../../config/token.config';
import type { ReuseReason } from '../../../events/security-event';
import { SecurityEvents } from '../../../events/security-events.service';
import { OAuthError } from '../../../oauth/oauth-error';
import type { OAuthParams } from '../../../oauth/oauth-params';
import { RefreshTokenDerivationKey } from '../../refresh-tokens/refresh-token-derivation-key.service';
import { deriveSuccessorValue, hashRefreshToken, isDerivedSuccessor, mintSuccessorToken, REFRESH_TOKEN_SHAPE } from '../../refresh-tokens/refresh-token-factory';
import type { RefreshTokenEntity } from '../../refresh-tokens/refresh-token.entity';
import { RefreshTokensRepository, StoredRefreshToken } from '../../refresh-tokens/refresh-tokens.repository';
import { TokenIssuer } from '../../token-issuer.service';
import type { TokenResponse } from '../../token-response';
import { GrantHandler, GrantType } from '../grant-handler';
import { parseRequestedScope, scopeWithin } from '../requested-scope';

interface RefreshRequest {
  presented: string;
  client: ClientEntity;
  requestedScope: Scope | undefined;
  now: number;
}

/**
 * RFC 6749 §6 refresh with rotation (RFC 9700 §4.14.2): every use retires the token and issues a
 * successor in the same family; a retired token presented again revokes the whole family, except
 * an idempotent retry: within REFRESH_TOKEN_REUSE_INTERVAL, the same client presenting the
 * immediate predecessor of a not-yet-used successor gets that same successor again.
 */
@Injectable()
@GrantType('refresh_token')
export class RefreshGrantService implements GrantHandler {
  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    private readonly derivationKey: RefreshTokenDerivationKey,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
  ) {}

  async handle(params: OAuthParams, client: ClientEntity): Promise<TokenResponse> {
    const presented = params.require('refresh_token');
    const requestedScope = parseRequestedScope(params.get('scope'));
    if (!REFRESH_TOKEN_SHAPE.test(presented)) throw OAuthError.invalidGrant('refresh token has the wrong shape');
    const stored = await this.refreshTokens.findByHash(hashRefreshToken(presented));
    const now = this.clock.now();
    assertLiveFamily(stored, now);
    const request = { presented, client, requestedScope, now };
    if (stored.token.consumedAt !== null) return this.retryOrRevoke(stored, request);
    return this.rotate(stored, request);
  }

  private async rotate(stored: StoredRefreshToken, request: RefreshRequest): Promise<TokenResponse> {
    const { token, family } = stored;
    const { client, now } = request;
    // RFC 6749 §6: the refresh token MUST be bound to, and presented by, the client it was issued to.
    if (family.clientId !== client.clientId) throw OAuthError.invalidGrant('refresh token belongs to another client');
    if (now >= token.expiresAt) throw OAuthError.invalidGrant('refresh token past its idle lifetime');
    const scope = grantedScope(request.requestedScope, family.scope);
    const successor = mintSuccessorToken(
      { familyId: family.id, parentId: token.id, generation: token.generation + 1, issuedAt: now, idleTtlSeconds: this.config.refreshTokenIdleTtl },
      this.derivationKey.get(),
      request.presented,
    );
    if (!(await this.refreshTokens.consume(token, successor.entity, now))) {
      // Another request retired this token between our read and our update: judge ours as a retry.
      const current = await this.refreshTokens.findByHash(token.tokenHash);
      assertLiveFamily(current, now);
      return this.retryOrRevoke(current, request);
    }
    this.events.emit({ type: 'token_rotated', familyId: family.id, clientId: client.clientId, generation: successor.entity.generation });
    // RFC 6749 §6: the new refresh token keeps the family's scope; only the access token narrows.
    return this.issuer.bearerResponse({ subject: family.subject, clientId: client.clientId, scope, familyId: family.id, grantType: 'refresh_token' }, successor.value);
  }

  /**
   * A retired token was presented. It is a retry only when every condition holds; anything else is
   * reuse (RFC 9700 §4.14.2: one of its holders is an attacker) and ends the family.
   */
  private async retryOrRevoke(stored: StoredRefreshToken, request: RefreshRequest): Promise<TokenResponse> {
    const { family } = stored;
    const verdict = await this.judgeRetry(stored, request);
    if (typeof verdict === 'string') return this.revokeForReuse(stored, verdict, request.now);
    const scope = grantedScope(request.requestedScope, family.scope);
    this.events.emit({ type: 'retry_served', familyId: family.id, clientId: family.clientId, generation: verdict.generation });
    // The successor is recomputed from the presented token: nothing but its hash was ever stored.
    const value = deriveSuccessorValue(this.derivationKey.get(), verdict.id, request.presented);
    // The access token carries the family like any other, so revoking the family ends it too.
    return this.issuer.bearerResponse({ subject: family.subject, clientId: family.clientId, scope, familyId: family.id, grantType: 'refresh_token' }, value);
  }

  /** The successor to hand out again, or why this presentation is no retry. */
  private async judgeRetry({ token, family }: StoredRefreshToken, { presented, client, now }: RefreshRequest): Promise<RefreshTokenEntity | ReuseReason> {
    const interval = this.config.refreshTokenReuseInterval * 1000;
    if (interval === 0) return 'strict';
    if (family.clientId !== client.clientId) return 'other_client';
    if (now - token.consumedAt! > interval) return 'outside_interval';
    // Only the immediate predecessor of a successor nobody has used yet: a grand-parent's child is
    // consumed, and once the successor was used the client demonstrably received it.
    const successor = await this.refreshTokens.findSuccessor(token.id);
    if (!successor || successor.consumedAt !== null) return 'successor_used';
    if (!isDerivedSuccessor(successor, this.derivationKey.get(), presented)) return 'not_derived';
    return successor;
  }

  private async revokeForReuse({ token, family }: StoredRefreshToken, reason: ReuseReason, now: number): Promise<never> {
    this.events.emit({ type: 'reuse_detected', familyId: family.id, clientId: family.clientId, generation: token.generation, reason });
    if (await this.refreshTokens.revokeFamily(family.id, now, 'reuse_detected')) {
      this.events.emit({ type: 'family_revoked', familyId: family.id, clientId: family.clientId, reason: 'reuse_detected' });
    }
    throw OAuthError.invalidGrant(`refresh token reused (${reason}): family revoked`);
  }
}

/** Unknown, revoked or expired families end here, before anything else is looked at. */
function assertLiveFamily(stored: StoredRefreshToken | null, now: number): asserts stored is StoredRefreshToken {
  if (!stored) throw OAuthError.invalidGrant('unknown refresh token');
  const { family } = stored;
  if (family.revokedAt !== null) throw OAuthError.invalidGrant(`family revoked (${family.revokedReason})`);
  if (now >= family.expiresAt) throw OAuthError.invalidGrant('refresh token past its absolute lifetime');
}

/** RFC 6749 §6: a requested scope MUST NOT include any scope not originally granted. */
function grantedScope(requested: Scope | undefined, familyScope: string): string {
  return requested === undefined ? familyScope : scopeWithin(requested, familyScope, 'the scope originally granted');
}
