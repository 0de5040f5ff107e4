import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { clientAddress } from './client-address';
import { ADDRESS_LIMIT, chargedAddressKeys } from './rate-limit-metadata';
import { AddressLimit, RateLimits } from './rate-limits.service';

/**
 * The per-IP counter of a rate-limited route, charged before anything else of the request runs
 * (body, client authentication): the bound on what one address can make the service do.
 * `ClientQuotaInterceptor` refunds it for an authenticated confidential client's success.
 */
@Injectable()
export class AddressLimitGuard implements CanActivate {
  constructor(
    private readonly limits: RateLimits,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const limit = this.reflector.getAllAndOverride<AddressLimit | undefined>(ADDRESS_LIMIT, [context.getHandler(), context.getClass()]) ?? 'oauth';
    const req = context.switchToHttp().getRequest<Request>();
    const key = await this.limits.chargeAddress(limit, clientAddress(req));
    if (key !== undefined) chargedAddressKeys.set(req, key);
    return true;
  }
}
