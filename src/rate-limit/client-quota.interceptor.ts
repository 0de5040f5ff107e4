import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { concatMap, from, Observable, switchMap } from 'rxjs';
import type { AuthenticatedRequest } from '../clients/client-auth.guard';
import { chargedAddressKeys } from './rate-limit-metadata';
import { RateLimits } from './rate-limits.service';

/**
 * Runs after the guards, so the client is known: its request is charged to the client's own quota,
 * and a confidential client's *success* is taken off the address's counter (issue 11 item 3: a
 * backend-for-frontend refreshing for thousands of users from one address is limited per client,
 * not per IP). The refund happens before the response is written, so the next request sees it.
 */
@Injectable()
export class ClientQuotaInterceptor implements NestInterceptor {
  constructor(private readonly limits: RateLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & Request>();
    const client = req.client;
    if (client === undefined) return next.handle();
    return from(this.limits.chargeClient(client.clientId)).pipe(
      switchMap(() => next.handle()),
      concatMap(async (value: unknown) => {
        const charged = chargedAddressKeys.get(req);
        if (client.isConfidential && charged !== undefined) await this.limits.refund(charged);
        return value;
      }),
    );
  }
}
