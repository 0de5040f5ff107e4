import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AdminAuthFailures, clientAddress, digestsEqual, OAuthError, SecurityEvents, sha256Hex } from 'nest-oauth-server';
import { adminConfig, AdminConfig } from '../config/admin.config';

const MAX_AUTHORIZATION_LENGTH = 1024;

/**
 * Guards every /admin route with `Authorization: Bearer $ADMIN_API_KEY`. With no key configured
 * the admin API is off and its routes answer 404, as if they did not exist.
 *
 * Key guessing is neither silent nor free (issue 10 item 10): every wrong or missing key emits
 * `admin_auth_failed` (logged, counted in a metric), and past RATE_LIMIT_ADMIN_AUTH_FAILURES per
 * window an address (IPv6 /64 as one) is refused with 429 before its key is even looked at.
 */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  private readonly keyDigest?: string;

  constructor(
    @Inject(adminConfig.KEY) config: AdminConfig,
    private readonly failures: AdminAuthFailures,
    private readonly events: SecurityEvents,
  ) {
    this.keyDigest = config.apiKey === undefined ? undefined : sha256Hex(config.apiKey);
  }

  get enabled(): boolean {
    return this.keyDigest !== undefined;
  }

  /** Constant-time: both sides are hashed to fixed-length digests before they are compared. */
  matches(authorization: string | undefined): boolean {
    if (!this.keyDigest || !authorization || authorization.length > MAX_AUTHORIZATION_LENGTH) return false;
    const match = /^bearer +(\S+)$/i.exec(authorization.trim());
    return match !== null && digestsEqual(sha256Hex(match[1]), this.keyDigest);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled) throw new NotFoundException();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const address = clientAddress(req);
    const blocked = await this.failures.blockedFor(address);
    if (blocked > 0) throw OAuthError.slowDown(blocked, 'admin API key failures from this address');
    const authorization = req.headers.authorization;
    if (this.matches(authorization)) return true;
    this.events.emit({ type: 'admin_auth_failed', address, reason: authorization === undefined ? 'no key' : 'wrong key' });
    await this.failures.record(address);
    // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="admin"');
    throw new OAuthError('unauthorized', 'A valid admin API key is required', 401);
  }
}
