import { Injectable } from '@nestjs/common';
import { RefreshTokenFamilies, type TokenResponse } from 'nest-oauth-server';

/**
 * Starts a grant for a user a trusted first-party service has already authenticated, through
 * the one "eligible client → start a family" policy (RefreshTokenFamilies.start), like `tokens:issue`.
 */
@Injectable()
export class FirstPartyIssuanceService {
  constructor(private readonly families: RefreshTokenFamilies) {}

  issue(clientId: string, subject: string, scope?: string): Promise<TokenResponse> {
    return this.families.start({ client: clientId, subject, scope, grantType: 'first_party' });
  }
}
