import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { OAuthError } from '../oauth/oauth-error';
import { setNoStore } from '../oauth/no-store';

/**
 * Renders the guard's refusals on a host's own routes (`@RequireAccessToken`), whatever the host's
 * global filter: RFC 6750 §3 status and WWW-Authenticate challenge, RFC 9449 §7.1/§9 DPoP challenge
 * and DPoP-Nonce. Only OAuthError is caught, so the host's own exceptions in its handler stay the
 * host's to render.
 */
@Catch(OAuthError)
export class AccessTokenErrorFilter implements ExceptionFilter {
  catch(error: OAuthError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    // RFC 6750 §3.1 has the token's problem in the challenge; the body repeats it for clients that read JSON.
    setNoStore(res);
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
    res.status(error.status).json(error.toJSON());
  }
}
