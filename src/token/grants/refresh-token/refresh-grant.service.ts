import { Inject, Injectable } from '@nestjs/common';
import type { ClientEntity } from '../../../clients/client.entity';
import { Clock } from '../../../common/clock';
import { Scope } from '../../../common/scope';
import { tokenConfig, TokenConfig } from '../../../config/token.config';
import { SecurityEvents } from '../../../events/security-events.service';
import { OAuthError } from '../../../oauth/oauth-error';
import type { OAuthParams } from '../../../oauth/oauth-params';
import { hashRefreshToken, mintRefreshToken } from '../../refresh-tokens/refresh-token-factory';
import { RefreshTokensRepository, StoredRefreshToken } from '../../refresh-tokens/refresh-tokens.repository';
import { TokenIssuer } from '../../token-issuer.service';
import type { TokenResponse } from '../../token-response';
import { GrantHandler, GrantType } from '../grant-handler';

// Our refresh tokens are 43 base64url characters; anything else cannot be one (no lookup needed).
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * RFC 6749 §6 refresh with rotation (RFC 9700 §4.14.2): every use retires the token and issues a
 * successor in the same family; a retired token presented again revokes the whole family.
 */
@Injectable()
@GrantType('refresh_token')
export class RefreshGrantService implements GrantHandler {
  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
  ) {}

  async handle(params: OAuthParams, client: ClientEntity): Promise<TokenResponse> {
    const presented = params.require('refresh_token');
    const requestedScope = parseRequestedScope(params.get('scope'));
    if (!REFRESH_TOKEN_SHAPE.test(presented)) throw OAuthError.invalidGrant('refresh token has the wrong shape');
    const stored = await this.refreshTokens.findByHash(hashRefreshToken(presented));
    const now = this.clock.now();
    await this.assertUsable(stored, client, now);
    const { token, family } = stored!;
    const scope = grantedScope(requestedScope, family.scope);
    const successor = mintRefreshToken({
      familyId: family.id,
      parentId: token.id,
      generation: token.generation + 1,
      issuedAt: now,
      idleTtlSeconds: this.config.refreshTokenIdleTtl,
    });
    if (!(await this.refreshTokens.consume(token, successor.entity, now))) {
      // Another request retired this token between our read and our update: a second use.
      await this.revokeForReuse(stored!, now);
    }
    this.events.emit({ type: 'token_rotated', familyId: family.id, clientId: client.clientId, generation: successor.entity.generation });
    // RFC 6749 §6: the new refresh token keeps the family's scope; only the access token narrows.
    return this.issuer.bearerResponse({ subject: family.subject, clientId: client.clientId, scope, familyId: family.id }, successor.value);
  }

  private async assertUsable(stored: StoredRefreshToken | null, client: ClientEntity, now: number): Promise<void> {
    if (!stored) throw OAuthError.invalidGrant('unknown refresh token');
    const { token, family } = stored;
    // RFC 6749 §6: the refresh token MUST be bound to, and presented by, the client it was issued to.
    if (family.clientId !== client.clientId) throw OAuthError.invalidGrant('refresh token belongs to another client');
    if (family.revokedAt !== null) throw OAuthError.invalidGrant(`family revoked (${family.revokedReason})`);
    // RFC 9700 §4.14.2: a retired refresh token used again means one of its holders is an attacker.
    if (token.consumedAt !== null) await this.revokeForReuse(stored, now);
    if (now >= family.expiresAt) throw OAuthError.invalidGrant('refresh token past its absolute lifetime');
    if (now >= token.expiresAt) throw OAuthError.invalidGrant('refresh token past its idle lifetime');
  }

  private async revokeForReuse({ token, family }: StoredRefreshToken, now: number): Promise<never> {
    this.events.emit({ type: 'reuse_detected', familyId: family.id, clientId: family.clientId, generation: token.generation });
    if (await this.refreshTokens.revokeFamily(family.id, now, 'reuse_detected')) {
      this.events.emit({ type: 'family_revoked', familyId: family.id, clientId: family.clientId, reason: 'reuse_detected' });
    }
    throw OAuthError.invalidGrant('refresh token reused: family revoked');
  }
}

function parseRequestedScope(value: string | undefined): Scope | undefined {
  if (value === undefined) return undefined;
  const scope = Scope.parseStrict(value);
  if (scope === null || scope.isEmpty) throw OAuthError.invalidScope('The requested scope is malformed');
  return scope;
}

/** RFC 6749 §6: a requested scope MUST NOT include any scope not originally granted. */
function grantedScope(requested: Scope | undefined, familyScope: string): string {
  if (requested === undefined) return familyScope;
  if (!requested.isSubsetOf(Scope.parse(familyScope))) {
    throw OAuthError.invalidScope('The requested scope exceeds the scope originally granted');
  }
  return requested.toString();
}
