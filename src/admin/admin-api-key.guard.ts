import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { digestsEqual, sha256Hex } from '../common/secure-random';
import { adminConfig, AdminConfig } from '../config/admin.config';
import { OAuthError } from '../oauth/oauth-error';

const MAX_AUTHORIZATION_LENGTH = 1024;

/**
 * Guards every /admin route with `Authorization: Bearer $ADMIN_API_KEY`. With no key configured
 * the admin API is off and its routes answer 404, as if they did not exist.
 */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  private readonly keyDigest?: string;

  constructor(@Inject(adminConfig.KEY) config: AdminConfig) {
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

  canActivate(context: ExecutionContext): boolean {
    if (!this.enabled) throw new NotFoundException();
    const http = context.switchToHttp();
    if (this.matches(http.getRequest<Request>().headers.authorization)) return true;
    // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="admin"');
    throw new OAuthError('unauthorized', 'A valid admin API key is required', 401);
  }
}
