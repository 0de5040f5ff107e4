import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ClientEntity } from '../../clients/client.entity';
import { Clock } from '../../common/clock';
import { tokenConfig, TokenConfig } from '../../config/token.config';
import type { TokenResponse } from '../token-response';
import { TokenIssuer } from '../token-issuer.service';
import { mintRefreshToken } from './refresh-token-factory';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { TokenFamilyEntity } from './token-family.entity';

/**
 * Starts a new grant (a token family) and answers with its first token pair. Every way of
 * obtaining a first refresh token goes through here: the CLI's tokens:issue, authorization_code,
 * a first-party login service.
 */
@Injectable()
export class TokenFamiliesService {
  private readonly logger = new Logger('SecurityEvents');

  constructor(
    private readonly repository: RefreshTokensRepository,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
  ) {}

  async startFamily(client: ClientEntity, subject: string, scope: string): Promise<TokenResponse> {
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
    });
    const first = mintRefreshToken({ familyId: family.id, parentId: null, generation: 0, issuedAt: now, idleTtlSeconds: this.config.refreshTokenIdleTtl });
    await this.repository.createFamily(family, first.entity);
    this.logger.log(JSON.stringify({ event: 'family_created', family_id: family.id, client_id: client.clientId }));
    return this.issuer.bearerResponse({ subject, clientId: client.clientId, scope }, first.value);
  }
}
