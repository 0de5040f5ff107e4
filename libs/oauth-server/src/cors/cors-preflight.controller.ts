import { Controller, Headers, HttpCode, Options, Res } from '@nestjs/common';
import type { Response } from 'express';
import { corsOriginProblem } from '../clients/cors-origin';
import { OAuthRoutes } from '../oauth/oauth-routes.decorator';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_PREFLIGHT_MAX_AGE, varyOnOrigin } from './cors-headers';

/**
 * CORS preflight (Fetch standard §3.2) of the endpoints a browser client calls. A preflight carries
 * no credentials, so it cannot know the client: it allows any origin that *could* be registered
 * (`corsOriginProblem`), and the real decision is taken on the POST, after client authentication
 * (ClientOriginPolicy). That is no weaker than answering only registered origins: a form POST needs
 * no preflight at all, so the POST check is the control either way. It also avoids an oracle that
 * tells anyone which origins are registered, and a database read per preflight.
 *
 * Not for the authorization endpoint: RFC 9700 §2.6, CORS MUST NOT be supported there (the client
 * redirects the user agent to it and never fetches it).
 */
@Controller('oauth')
@OAuthRoutes()
export class CorsPreflightController {
  @Options(['token', 'revoke'])
  @HttpCode(204)
  // Under the per-IP counter of the endpoints it precedes: a flood of preflights is no cheaper.
  @RateLimited()
  preflight(@Headers('origin') origin: string | undefined, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('Allow', 'POST, OPTIONS');
    if (origin === undefined) return;
    varyOnOrigin(res);
    res.vary('Access-Control-Request-Method');
    res.vary('Access-Control-Request-Headers');
    if (corsOriginProblem(origin) !== null) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(CORS_PREFLIGHT_MAX_AGE));
  }
}
