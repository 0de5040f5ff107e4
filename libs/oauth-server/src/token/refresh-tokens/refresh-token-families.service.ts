import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ClientEntity } from '../../clients/client.entity';
import { ClientStore } from '../../clients/client.store';
import { OAuthClient } from '../../clients/oauth-client';
import { Clock } from '../../common/clock';
import { resolveRequestedScope } from '../../common/scope';
import { tokenConfig, TokenConfig } from '../../config/token.config';
import { Transactions } from '../../database/transactions.service';
import { bindsRefreshTokens } from '../../dpop/dpop-binding';
import { SecurityEvents } from '../../events/security-events.service';
import { OAuthError } from '../../oauth/oauth-error';
import type { TokenResponse } from '../token-response';
import { TokenIssuer } from '../token-issuer.service';
import { mintRefreshToken } from './refresh-token-factory';
import { RefreshTokenStore } from './refresh-token.store';
import { TokenFamilyEntity } from './token-family.entity';

/** A new grant for a subject: who gets it, for what, and how it was obtained. */
export interface StartFamilyRequest {
  /** The client, as a grant handler sees it, or its `client_id` (looked up; it must be enabled). */
  client: OAuthClient | ClientEntity | string;
  subject: string;
  /** The requested scope; omitted means the client's registered scope (RFC 6749 §3.3). */
  scope?: string;
  /**
   * How the grant was obtained (`authorization_code`, an extension grant's name, `bootstrap` for
   * tokens:issue...), for events and metrics: always chosen by code, never copied from a request.
   */
  grantType: string;
  /** RFC 9449: the verified DPoP key of the request; the access token is bound to it (§6). */
  dpopJkt?: string;
}

export interface StartFamilyOptions {
  /** The family's id, chosen by a caller that records it elsewhere first (in the same unit of work). */
  familyId?: string;
}

/**
 * Starts a rotating refresh-token family and answers with its first RFC 6749 §5.1 token pair.
 * THE "eligible client → start a family" policy: every way of obtaining a first refresh token
 * goes through `start` (the CLI's tokens:issue, the microservice's first-party issuance, the
 * authorization code grant, extension grants), so each gets the same checks:
 * - an enabled client (a disabled one is refused like an unknown one),
 * - registered for the refresh_token grant (RFC 6749 §5.2: else `unauthorized_client`),
 * - the scope resolved by the one scope policy (`resolveRequestedScope`, RFC 6749 §3.3),
 * - refresh tokens bound to the DPoP key where RFC 9449 §5 says so (`bindsRefreshTokens`).
 * Called inside `Transactions.run`, the family joins that unit of work (a grant that consumes a
 * record of its own in the same unit stores both or neither) and its events wait for the commit.
 */
@Injectable()
export class RefreshTokenFamilies {
  constructor(
    private readonly repository: RefreshTokenStore,
    private readonly clients: ClientStore,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    @Inject(tokenConfig.KEY) private readonly config: TokenConfig,
    private readonly transactions: Transactions,
  ) {}

  async start(request: StartFamilyRequest, options: StartFamilyOptions = {}): Promise<TokenResponse> {
    const client = await this.eligibleClient(request.client);
    const scope = resolveRequestedScope(request.scope, client.scope);
    const { subject, grantType, dpopJkt } = request;
    const now = this.clock.now();
    const family = Object.assign(new TokenFamilyEntity(), {
      id: options.familyId ?? randomUUID(),
      clientId: client.clientId,
      subject,
      scope,
      createdAt: now,
      expiresAt: now + this.config.refreshTokenAbsoluteTtl * 1000,
      lastUsedAt: now,
      revokedAt: null,
      revokedReason: null,
      dpopJkt: dpopJkt !== undefined && bindsRefreshTokens(client) ? dpopJkt : null,
    });
    const first = mintRefreshToken({ familyId: family.id, parentId: null, generation: 0, issuedAt: now, idleTtlSeconds: this.config.refreshTokenIdleTtl });
    // Signed before the commit: once the family (and the code it consumes) is stored, nothing may fail.
    const prepared = await this.issuer.prepareResponse({ subject, clientId: client.clientId, scope, familyId: family.id, grantType, notAfter: family.expiresAt, dpopJkt }, first.value);
    await this.repository.createFamily(family, first.entity);
    this.transactions.afterCommit(() => {
      this.events.emit({ type: 'family_created', familyId: family.id, clientId: client.clientId, grantType });
      prepared.announce();
    });
    return prepared.response;
  }

  private async eligibleClient(given: OAuthClient | ClientEntity | string): Promise<OAuthClient> {
    const client = typeof given === 'string' ? await this.clients.findById(given) : given;
    const view = client === null ? null : client instanceof OAuthClient ? client : OAuthClient.from(client);
    if (view === null || !view.enabled) throw OAuthError.invalidRequest('There is no enabled client with this client_id');
    // RFC 6749 §5.2: a client not registered for refresh_token never holds one.
    if (!view.allowsGrant('refresh_token')) throw OAuthError.unauthorizedClient('The client is not registered for the refresh_token grant');
    return view;
  }
}
