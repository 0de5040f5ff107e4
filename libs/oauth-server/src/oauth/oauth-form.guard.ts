import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { OAuthError } from './oauth-error';
import { OAuthParams } from './oauth-params';
import type { OAuthRequest } from './oauth-request';
import { rawBody } from './request-body';

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Parses the body of a POST to an OAuth endpoint strictly. RFC 6749 §3.2 says the token endpoint
 * takes `application/x-www-form-urlencoded`; the same holds for RFC 7009 and 7662.
 *
 * A guard bound to the OAuth controllers (`@OAuthController()`), not a middleware on a path
 * prefix: whatever spelling of a path reaches one of these handlers has had its body parsed here,
 * with this size limit, and nothing else has (issue 10 item 3) — also inside a host application
 * whose own body parsers are on (issue 14: the bytes are captured before them, see
 * OAuthFrontRoutes).
 */
@Injectable()
export class OAuthFormGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<OAuthRequest>();
    if (req.method !== 'POST' || req.oauthParams !== undefined) return true;
    assertFormContentType(req.headers['content-type']);
    req.oauthParams = OAuthParams.parse(await rawBody(req, http.getResponse<Response>()));
    return true;
  }
}

function assertFormContentType(header: string | undefined): void {
  const [mediaType, ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== FORM_CONTENT_TYPE) {
    throw OAuthError.invalidRequest(`Content-Type must be ${FORM_CONTENT_TYPE}`);
  }
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  if (charset && !['charset=utf-8', 'charset="utf-8"'].includes(charset)) {
    throw OAuthError.invalidRequest('Only the UTF-8 charset is accepted');
  }
}
