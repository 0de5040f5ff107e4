import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ClientEntity } from '../../clients/client.entity';
import { Clock } from '../../common/clock';
import { tokenConfig, TokenConfig } from '../../config/token.config';
import { SecurityEvents } from '../../events/security-events.service';
import type { TokenResponse } from '../token-response';
import { TokenIssuer } from '../token-issuer.service';
import { mintRefreshToken } from './refresh-token-factory';
import { FamilyTransactionHook, RefreshTokensRepository } from './refresh-tokens.repository';
import { TokenFamilyEntity } from './token-family.entity';

/** RFC 9449 §5: the access token is bound to `jkt`; the family too when `bindRefreshTokens`. */
export interface FamilyDpopBinding {
  jkt: string;
  bindRefreshTokens: boolean;
}

/**
 * Starts a new grant (a token family) and answers with its first token pair. Every way of
 * obtaining a first refresh token goes through here: the CLI's tokens:issue, authorization_code,
 * a first-party login service.
 */
@Injectable()
export class TokenFamiliesService {
  constructor(
    private readonly repository: RefreshTokensRepository,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
  ) {}

  /**
   * `grantType` names how the grant was obtained, for events and metrics. `within` runs in the
   * family's transaction (the authorization code grant consumes its code there, so a code and
   * the family issued from it are recorded atomically); if it throws, nothing is stored.
   */
  async startFamily(
    client: ClientEntity,
    subject: string,
    scope: string,
    grantType = 'bootstrap',
    within?: FamilyTransactionHook,
    dpop?: FamilyDpopBinding,
  ): Promise<TokenResponse> {
    const now = this.clock.now();
    const family = Object.assign(new TokenFamilyEntity(), {
      id: randomUUID(),
      clientId: client.clientId,
      subject,
      scope,
      createdAt: now,
      expiresAt: now + this.config.refreshTokenAbsoluteTtl * 1000,
      lastUsedAt: now,
      revokedAt: null,
      revokedReason: null,
      dpopJkt: dpop?.bindRefreshTokens ? dpop.jkt : null,
    });
    const first = mintRefreshToken({ familyId: family.id, parentId: null, generation: 0, issuedAt: now, idleTtlSeconds: this.config.refreshTokenIdleTtl });
    // Signed before the commit: once the family (and the code it consumes) is stored, nothing may fail.
    const prepared = this.issuer.prepareResponse({ subject, clientId: client.clientId, scope, familyId: family.id, grantType, notAfter: family.expiresAt, dpopJkt: dpop?.jkt }, first.value);
    await this.repository.createFamily(family, first.entity, within);
    this.events.emit({ type: 'family_created', familyId: family.id, clientId: client.clientId, grantType });
    prepared.announce();
    return prepared.response;
  }
}
