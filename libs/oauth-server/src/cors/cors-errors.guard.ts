import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { corsOriginProblem } from '../clients/cors-origin';
import { appConfig, AppConfig } from '../config/app.config';
import { BROWSER_CALLABLE } from './browser-callable.decorator';
import { allowOrigin, varyOnOrigin } from './cors-headers';

/**
 * The first guard of every OAuth controller (`@OAuthController()`), so it runs before every other
 * guard of a `@BrowserCallable()` route: the per-IP limit, the form
 * parser and client authentication. Until the client is known, an origin that could be registered
 * (`corsOriginProblem`, the same answer the preflight gives) gets Access-Control-Allow-Origin, so a
 * registered SPA can read its 429 (and Retry-After), 400/413 and 401 invalid_client (and
 * WWW-Authenticate) — before, these were opaque network errors to it (review M4). They reveal
 * nothing the preflight did not, and change nothing. Once the client is authenticated,
 * `ClientOriginPolicy` decides: it keeps the headers for a registered origin and withdraws them
 * for any other (unauthorized_client without CORS headers).
 */
@Injectable()
export class CorsErrorsGuard implements CanActivate {
  private readonly ownOrigin: string;

  constructor(
    private readonly reflector: Reflector,
    @Inject(appConfig.KEY) app: AppConfig,
  ) {
    this.ownOrigin = new URL(app.issuer).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (!this.reflector.getAllAndOverride<boolean | undefined>(BROWSER_CALLABLE, [context.getHandler(), context.getClass()])) return true;
    const origin = context.switchToHttp().getRequest<Request>().headers.origin;
    if (origin === undefined) return true;
    const res = context.switchToHttp().getResponse<Response>();
    varyOnOrigin(res);
    // Same-origin needs no CORS (as in ClientOriginPolicy).
    if (origin !== this.ownOrigin && corsOriginProblem(origin) === null) allowOrigin(res, origin);
    return true;
  }
}
