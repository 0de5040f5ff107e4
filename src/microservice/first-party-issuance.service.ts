import { Injectable } from '@nestjs/common';
import { ClientsRepository, OAuthError, Scope, TokenFamiliesService, type TokenResponse } from 'nest-oauth-server';

/**
 * Starts a grant for a user a trusted first-party service has already authenticated, with the
 * same checks as `tokens:issue`: an enabled client registered for refresh_token, scope within its own.
 */
@Injectable()
export class FirstPartyIssuanceService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly families: TokenFamiliesService,
  ) {}

  async issue(clientId: string, subject: string, scope?: string): Promise<TokenResponse> {
    const client = await this.clients.findById(clientId);
    if (!client || client.disabledAt !== null) throw OAuthError.invalidRequest('client_id does not name an enabled client');
    if (!client.allowsGrant('refresh_token')) {
      throw OAuthError.unauthorizedClient('The client is not registered for the refresh_token grant');
    }
    const allowed = Scope.parse(client.scope);
    const requested = scope === undefined ? allowed : Scope.parseStrict(scope);
    // RFC 6749 §3.3: the granted scope never exceeds what the client is registered for.
    if (requested === null || !requested.isSubsetOf(allowed)) {
      throw OAuthError.invalidScope("The requested scope is malformed or exceeds the client's scope");
    }
    return this.families.startFamily(client, subject, requested.toString(), 'first_party');
  }
}
