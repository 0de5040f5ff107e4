import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { from, Observable, switchMap, tap } from 'rxjs';
import type { AuthenticatedRequest } from '../clients/client-auth.guard';
import { clientAddress } from './client-address';
import { chargedAddressKeys } from './rate-limit-metadata';
import { RateLimits } from './rate-limits.service';

/**
 * Runs after the guards, so the client is known: its request is charged to the client's own quota,
 * and a confidential client's *success* is taken off the address's counter (issue 11 item 3: a
 * backend-for-frontend refreshing for thousands of users from one address is limited per client,
 * not per IP). The refund is started before the response is written but never waited for: the
 * grant has committed by then, and its answer must not wait on the limiter (review H2).
 */
@Injectable()
export class ClientQuotaInterceptor implements NestInterceptor {
  constructor(private readonly limits: RateLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & Request>();
    const client = req.client;
    if (client === undefined) return next.handle();
    // A public client proves nothing but its id: its quota is per address (RateLimits.chargeClient).
    const address = client.isConfidential ? undefined : clientAddress(req);
    return from(this.limits.chargeClient(client.clientId, address)).pipe(
      switchMap(() => next.handle()),
      tap(() => {
        const charged = chargedAddressKeys.get(req);
        if (client.isConfidential && charged !== undefined) this.limits.refund(charged);
      }),
    );
  }
}
