import { Injectable } from '@nestjs/common';
import { GrantHandler, GrantType, OAuthError, RefreshTokenFamilies, resolveRequestedScope, TokenEndpointResponse, TokenRequestContext, Transactions } from 'nest-oauth-server';
import { DeviceSessions } from './device-sessions.service';

export const DEVICE_SESSION_GRANT = 'urn:example:grant-type:device-session';

/**
 * A paired device redeems its device session for a rotating token family. Client authentication,
 * the client's allowed grant types, form parsing and error bodies are the token endpoint's.
 */
@Injectable()
@GrantType(DEVICE_SESSION_GRANT)
export class DeviceSessionGrant implements GrantHandler {
  readonly parameters = ['device_session', 'scope'];

  constructor(
    private readonly sessions: DeviceSessions,
    private readonly families: RefreshTokenFamilies,
    private readonly transactions: Transactions,
  ) {}

  async handle({ params, client, dpopJkt }: TokenRequestContext): Promise<TokenEndpointResponse> {
    // RFC 6749 §3.3 (absent → the registered scope), checked before the session is spent: a
    // refused request changes nothing.
    const scope = resolveRequestedScope(params.get('scope'), client.scope);
    const secret = params.require('device_session');
    const session = this.sessions.claim(secret, client.clientId);
    // RFC 6749 §5.2: an unknown, used, expired or another client's grant is invalid_grant.
    if (session === undefined) throw OAuthError.invalidGrant('device session unknown, used, expired or paired with another client');
    try {
      // One unit of work: the session is spent only once the family is committed, so a refusal
      // (unauthorized_client) or an outage (503) leaves the pairing usable for a retry. Database
      // work only inside run(): no network call that could hold it open.
      const tokens = await this.transactions.run(async () => {
        const started = await this.families.start({ client, subject: session.subject, scope, grantType: DEVICE_SESSION_GRANT, dpopJkt });
        this.transactions.afterCommit(() => this.sessions.spend(secret));
        return started;
      });
      return { ...tokens, device_name: session.deviceName };
    } finally {
      // A no-op once spent; otherwise the session is available again.
      this.sessions.release(secret);
    }
  }
}
