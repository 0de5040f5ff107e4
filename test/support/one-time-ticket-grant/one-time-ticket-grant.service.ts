import { Injectable } from '@nestjs/common';
import { Clock, GrantHandler, GrantType, OAuthError, RefreshTokenFamilies, ReplayCache, TokenRequestContext, type TokenResponse, Transactions } from 'nest-oauth-server';

export const ONE_TIME_TICKET_GRANT = 'urn:example:params:oauth:grant-type:one-time-ticket';

/** A custom grant that consumes its own single-use record and starts a family, in one unit of work. */
@Injectable()
@GrantType(ONE_TIME_TICKET_GRANT)
export class OneTimeTicketGrantService implements GrantHandler {
  constructor(
    private readonly transactions: Transactions,
    private readonly tickets: ReplayCache,
    private readonly families: RefreshTokenFamilies,
    private readonly clock: Clock,
  ) {}

  handle({ params, client }: TokenRequestContext): Promise<TokenResponse> {
    const ticket = params.require('ticket');
    const subject = params.require('subject');
    // Both or neither: a ticket is used up only by the family it started.
    return this.transactions.run(async () => {
      if (!(await this.tickets.useOnce('ticket', ticket, this.clock.now() + 60_000))) throw OAuthError.invalidGrant('ticket already used');
      return this.families.start({ client, subject, grantType: ONE_TIME_TICKET_GRANT });
    });
  }
}
