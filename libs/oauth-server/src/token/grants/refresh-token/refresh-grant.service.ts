import { Inject, Injectable } from '@nestjs/common';
import type { OAuthClient } from '../../../clients/oauth-client';
import { Clock } from '../../../common/clock';
import { resolveRequestedScope } from '../../../common/scope';
import { tokenConfig, TokenConfig } from '../../../config/token.config';
import type { RetryRefusal, ReuseReason } from '../../../events/security-event';
import { SecurityEvents } from '../../../events/security-events.service';
import { OAuthError } from '../../../oauth/oauth-error';
import { RefreshTokenDerivationKey } from '../../refresh-tokens/refresh-token-derivation-key.service';
import { deriveSuccessorValue, hashRefreshToken, isDerivedSuccessor, mintRefreshToken, mintSuccessorToken, REFRESH_TOKEN_SHAPE } from '../../refresh-tokens/refresh-token-factory';
import type { RefreshTokenEntity } from '../../refresh-tokens/refresh-token.entity';
import { RefreshTokenStore, StoredRefreshToken } from '../../refresh-tokens/refresh-token.store';
import { AccessTokenGrant, TokenIssuer } from '../../token-issuer.service';
import type { TokenResponse } from '../../token-response';
import { GrantHandler, GrantType, TokenRequestContext } from '../grant-handler';
import { bindsRefreshTokens } from '../../../dpop/dpop-binding';

interface RefreshRequest {
  presented: string;
  client: OAuthClient;
  /** The `scope` parameter as sent; undefined when omitted. */
  requestedScope: string | undefined;
  now: number;
  /** The key of the request's verified DPoP proof (RFC 9449), if any. */
  dpopJkt: string | undefined;
}

/**
 * RFC 6749 §6 refresh with rotation (RFC 9700 §4.14.2): every use retires the token and issues a
 * successor in the same family; a retired token presented again revokes the whole family, except
 * an idempotent retry: within REFRESH_TOKEN_REUSE_INTERVAL, the same client presenting the
 * immediate predecessor of a not-yet-used successor gets that same successor again, at most
 * REFRESH_TOKEN_RETRY_LIMIT times (docs/retry-window.md).
 *
 * Everything that can fail (signing the access token included) happens before the rotation or the
 * replay commits; after it only events are emitted, which never throw: a failed answer to a
 * committed rotation would make the client retry with a used token.
 */
@Injectable()
@GrantType('refresh_token')
export class RefreshGrantService implements GrantHandler {
  readonly parameters = ['refresh_token', 'scope'] as const;

  constructor(
    private readonly refreshTokens: RefreshTokenStore,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    private readonly derivationKey: RefreshTokenDerivationKey,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
  ) {}

  async handle({ params, client, dpopJkt }: TokenRequestContext): Promise<TokenResponse> {
    const presented = params.require('refresh_token');
    const requestedScope = params.get('scope');
    if (!REFRESH_TOKEN_SHAPE.test(presented)) throw OAuthError.invalidGrant('refresh token has the wrong shape');
    const stored = await this.refreshTokens.findByHash(hashRefreshToken(presented));
    const now = this.clock.now();
    assertLiveFamily(stored, now);
    const request = { presented, client, requestedScope, now, dpopJkt };
    if (stored.token.consumedAt !== null) return this.retryOrRevoke(stored, request);
    return this.rotate(stored, request);
  }

  private async rotate(stored: StoredRefreshToken, request: RefreshRequest): Promise<TokenResponse> {
    const { token, family } = stored;
    const { client, now } = request;
    // RFC 6749 §6: the refresh token MUST be bound to, and presented by, the client it was issued to.
    if (family.clientId !== client.clientId) throw OAuthError.invalidGrant('refresh token belongs to another client');
    if (now >= token.expiresAt) throw OAuthError.invalidGrant('refresh token past its idle lifetime');
    // RFC 9449 §5: a bound refresh token is used only with a proof of its key. A live token
    // presented without it is refused and nothing changes: its holder cannot use it, and the
    // family stays with the client that holds the key.
    if (family.dpopJkt !== null && family.dpopJkt !== request.dpopJkt) throw OAuthError.invalidGrant('refresh token is bound to another DPoP key');
    // RFC 9449 §5: the first proof a public client's unbound family sees binds it from now on.
    const bindDpopJkt = family.dpopJkt === null && request.dpopJkt !== undefined && bindsRefreshTokens(client) ? request.dpopJkt : null;
    const scope = grantedScope(request.requestedScope, family.scope);
    const input = { familyId: family.id, parentId: token.id, generation: token.generation + 1, issuedAt: now, idleTtlSeconds: this.config.refreshTokenIdleTtl };
    // Only a retry window needs the successor recomputable from its predecessor. Without one it is
    // random (RFC 6749 §10.10): a derived one would let whoever read the database (the key and the
    // row ids) walk any old refresh token forward to the family's current one.
    const successor = this.retryWindowMs() > 0 ? mintSuccessorToken(input, this.derivationKey.get(), request.presented) : mintRefreshToken(input);
    // RFC 6749 §6: the new refresh token keeps the family's scope; only the access token narrows.
    const prepared = await this.issuer.prepareResponse(accessGrant(stored, scope, request.dpopJkt), successor.value);
    if (!(await this.refreshTokens.consume(token, successor.entity, now, bindDpopJkt))) {
      // Another request retired this token between our read and our update: judge ours as a retry.
      const current = await this.refreshTokens.findByHash(token.tokenHash);
      assertLiveFamily(current, now);
      return this.retryOrRevoke(current, request);
    }
    this.events.emit({ type: 'token_rotated', familyId: family.id, clientId: client.clientId, generation: successor.entity.generation });
    prepared.announce();
    return prepared.response;
  }

  /**
   * A retired token was presented. It is a retry only when every condition holds; anything else is
   * reuse (RFC 9700 §4.14.2: one of its holders is an attacker) and ends the family.
   */
  private async retryOrRevoke(stored: StoredRefreshToken, request: RefreshRequest): Promise<TokenResponse> {
    const { token, family } = stored;
    const { now } = request;
    const verdict = await this.judgeRetry(stored, request);
    if (typeof verdict === 'string') return this.revokeForReuse(stored, verdict, now);
    // A replay is a new access token: never one for a successor the client could no longer use.
    if (now >= verdict.expiresAt) return this.refuseRetry(stored, 'successor_expired');
    const scope = grantedScope(request.requestedScope, family.scope);
    // The successor is recomputed from the presented token: nothing but its hash was ever stored.
    const value = deriveSuccessorValue(this.derivationKey.get(), verdict.id, request.presented);
    // The access token carries the family like any other, so revoking the family ends it too.
    const prepared = await this.issuer.prepareResponse(accessGrant(stored, scope, request.dpopJkt), value);
    if (!(await this.refreshTokens.recordReplay(verdict.id, this.config.refreshTokenRetryLimit))) {
      // Since our judgement the family was revoked, the successor used, or the replays ran out.
      assertLiveFamily(await this.refreshTokens.findByHash(token.tokenHash), now);
      const successor = await this.refreshTokens.findSuccessor(token.id);
      if (!successor || successor.consumedAt !== null) return this.revokeForReuse(stored, 'successor_used', now);
      return this.refuseRetry(stored, 'retry_limit');
    }
    this.events.emit({ type: 'retry_served', familyId: family.id, clientId: family.clientId, generation: verdict.generation });
    prepared.announce();
    return prepared.response;
  }

  /** The successor to hand out again, or why this presentation is no retry. */
  private async judgeRetry({ token, family }: StoredRefreshToken, { presented, client, now, dpopJkt }: RefreshRequest): Promise<RefreshTokenEntity | ReuseReason> {
    const interval = this.retryWindowMs();
    if (interval === 0) return 'strict';
    if (family.clientId !== client.clientId) return 'other_client';
    // RFC 9449 §5: only the holder of the family's key retries; a retired bound token presented
    // without that key has leaked, which is reuse (RFC 9700 §4.14.2) like any other.
    if (family.dpopJkt !== null && family.dpopJkt !== dpopJkt) return 'other_key';
    if (now - token.consumedAt! > interval) return 'outside_interval';
    // Only the immediate predecessor of a successor nobody has used yet: a grand-parent's child is
    // consumed, and once the successor was used the client demonstrably received it.
    const successor = await this.refreshTokens.findSuccessor(token.id);
    if (!successor || successor.consumedAt !== null) return 'successor_used';
    if (!isDerivedSuccessor(successor, this.derivationKey.get(), presented)) return 'not_derived';
    return successor;
  }

  /**
   * A retry the window no longer answers, though nothing says the token was stolen: the replays
   * ran out or the successor expired. invalid_grant without revoking the family (docs/retry-window.md):
   * a client retrying once too often keeps the successor it may have received, and a thief holding
   * the predecessor gets no further access token either way.
   */
  private refuseRetry({ token, family }: StoredRefreshToken, reason: RetryRefusal): never {
    this.events.emit({ type: 'retry_refused', familyId: family.id, clientId: family.clientId, generation: token.generation + 1, reason });
    throw OAuthError.invalidGrant(`retry of a rotation refused (${reason})`);
  }

  private retryWindowMs(): number {
    return this.config.refreshTokenReuseInterval * 1000;
  }

  private async revokeForReuse({ token, family }: StoredRefreshToken, reason: ReuseReason, now: number): Promise<never> {
    this.events.emit({ type: 'reuse_detected', familyId: family.id, clientId: family.clientId, generation: token.generation, reason });
    if (await this.refreshTokens.revokeFamily(family.id, now, 'reuse_detected')) {
      this.events.emit({ type: 'family_revoked', familyId: family.id, clientId: family.clientId, reason: 'reuse_detected' });
    }
    throw OAuthError.invalidGrant(`refresh token reused (${reason}): family revoked`);
  }
}

/** The access token of a refresh: it carries the family and never outlives it. */
function accessGrant({ family }: StoredRefreshToken, scope: string, dpopJkt: string | undefined): AccessTokenGrant {
  // RFC 9449 §5: with a proof the access token is bound to its key, whether or not the family is.
  return { subject: family.subject, clientId: family.clientId, scope, familyId: family.id, grantType: 'refresh_token', notAfter: family.expiresAt, dpopJkt };
}

/** Unknown, revoked or expired families end here, before anything else is looked at. */
function assertLiveFamily(stored: StoredRefreshToken | null, now: number): asserts stored is StoredRefreshToken {
  if (!stored) throw OAuthError.invalidGrant('unknown refresh token');
  const { family } = stored;
  if (family.revokedAt !== null) throw OAuthError.invalidGrant(`family revoked (${family.revokedReason})`);
  if (now >= family.expiresAt) throw OAuthError.invalidGrant('refresh token past its absolute lifetime');
}

/** RFC 6749 §6: omitted means the scope originally granted; a requested one MUST NOT exceed it. */
function grantedScope(requested: string | undefined, familyScope: string): string {
  return resolveRequestedScope(requested, familyScope, 'the scope originally granted');
}
