import type { Request, Response } from 'express';
import { allowOrigin, varyOnOrigin, withdrawOrigin } from '../cors/cors-headers';
import { OAuthError } from '../oauth/oauth-error';
import type { ClientEntity } from './client.entity';

/**
 * Which browser origin may act for an authenticated client. Runs once, in `ClientAuthGuard`, after
 * authentication and before any grant handler or revocation, so a refused request changes nothing:
 * no rotation, no code consumed. Without this check a cross-origin form POST (which needs no
 * preflight) would be processed while the page cannot read the answer; its retry would then be
 * reuse and revoke the family (RFC 9700 §4.14.2).
 *
 * - No `Origin`: not a cross-origin browser request (a server-side client); nothing to check.
 * - `Origin` = the service's own origin: same-origin, no CORS needed.
 * - A registered origin: the answer (success or error) carries `Access-Control-Allow-Origin`.
 * - Anything else (including `null`): `unauthorized_client`, 400, without CORS headers (those
 *   `CorsErrorsGuard` set before authentication are withdrawn). The client
 *   did authenticate (so not `invalid_client`, RFC 6749 §5.2), but is not authorized to make this
 *   request from that origin.
 */
export class ClientOriginPolicy {
  constructor(private readonly ownOrigin: string) {}

  enforce(req: Request, res: Response, client: ClientEntity): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    varyOnOrigin(res);
    if (origin === this.ownOrigin) return;
    if (!client.allowsOrigin(origin)) {
      withdrawOrigin(res);
      throw OAuthError.unauthorizedClient(
        'The client is not registered for requests from this origin',
        `origin ${JSON.stringify(origin).slice(0, 200)} not in allowed_cors_origins of ${client.clientId}`,
      );
    }
    allowOrigin(res, origin);
  }
}
