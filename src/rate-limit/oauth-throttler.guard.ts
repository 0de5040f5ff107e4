import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Response } from 'express';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import type { OAuthRequest } from '../oauth/oauth-form.middleware';
import { OAuthError } from '../oauth/oauth-error';
import { ClientAuthFailures } from './client-auth-failures.service';
import { claimedClientId } from './claimed-client-id';

/**
 * Abuse limits for every endpoint under /oauth/: per IP, per claimed client id, and a block on a
 * client id after repeated authentication failures. Over the limit: 429 with Retry-After and an
 * OAuth body `slow_down` (see the README for why that code).
 */
@Injectable()
export class OAuthThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly authFailures: ClientAuthFailures,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // Before the block lookup too: other paths must not pay a store round trip (Redis) per request.
    if (await this.shouldSkip(context)) return true;
    try {
      const clientId = claimedClientId(context.switchToHttp().getRequest<OAuthRequest>());
      const blocked = clientId === undefined ? 0 : await this.authFailures.blockedFor(clientId);
      if (blocked > 0) throw this.slowDown(context, blocked, 'client id blocked after repeated authentication failures');
      return await super.canActivate(context);
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      // The limiter's store is down: serve rather than fail every token request (fail open), loudly.
      this.logger.error(`rate limiter unavailable, request not limited: ${(error as Error).message}`);
      return true;
    }
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.config.enabled || context.getType() !== 'http') return true;
    return !context.switchToHttp().getRequest<OAuthRequest>().path.startsWith('/oauth/');
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw this.slowDown(context, detail.timeToBlockExpire, `over the limit of ${detail.limit} per ${detail.ttl / 1000}s`);
  }

  private slowDown(context: ExecutionContext, retryAfter: number, debug: string): OAuthError {
    // RFC 6585 §4: 429 MAY say how long to wait; RFC 9110 §10.2.3: Retry-After in seconds.
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(Math.max(1, retryAfter)));
    return new OAuthError('slow_down', 'Too many requests; retry after the time given in Retry-After', 429, debug);
  }
}
