import { Injectable } from '@nestjs/common';
import { Clock } from '../../../src/common/clock';
import { Transactions } from '../../../src/database/transactions.service';
import { OAuthError } from '../../../src/oauth/oauth-error';
import { ReplayCache } from '../../../src/replay/replay-cache.service';
import { GrantHandler, GrantType, TokenRequestContext } from '../../../src/token/grants/grant-handler';
import { RefreshTokenFamilies } from '../../../src/token/refresh-tokens/refresh-token-families.service';
import type { TokenResponse } from '../../../src/token/token-response';

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
