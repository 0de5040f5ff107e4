import { Injectable } from '@nestjs/common';
import type { ClientEntity } from '../../../src/clients/client.entity';
import { Clock } from '../../../src/common/clock';
import { Transactions } from '../../../src/database/transactions.service';
import { OAuthError } from '../../../src/oauth/oauth-error';
import type { OAuthParams } from '../../../src/oauth/oauth-params';
import { ReplayCache } from '../../../src/replay/replay-cache.service';
import { GrantHandler, GrantType } from '../../../src/token/grants/grant-handler';
import { TokenFamiliesService } from '../../../src/token/refresh-tokens/token-families.service';
import type { TokenResponse } from '../../../src/token/token-response';

export const ONE_TIME_TICKET_GRANT = 'urn:example:params:oauth:grant-type:one-time-ticket';

/** A custom grant that consumes its own single-use record and starts a family, in one unit of work. */
@Injectable()
@GrantType(ONE_TIME_TICKET_GRANT)
export class OneTimeTicketGrantService implements GrantHandler {
  constructor(
    private readonly transactions: Transactions,
    private readonly tickets: ReplayCache,
    private readonly families: TokenFamiliesService,
    private readonly clock: Clock,
  ) {}

  handle(params: OAuthParams, client: ClientEntity): Promise<TokenResponse> {
    const ticket = params.require('ticket');
    const subject = params.require('subject');
    // Both or neither: a ticket is used up only by the family it started.
    return this.transactions.run(async () => {
      if (!(await this.tickets.useOnce('ticket', ticket, this.clock.now() + 60_000))) throw OAuthError.invalidGrant('ticket already used');
      return this.families.startFamily(client, subject, client.scope, ONE_TIME_TICKET_GRANT);
    });
  }
}
