import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import express from 'express';
import type { Request, Response } from 'express';
import { OAuthError } from './oauth-error';
import { OAuthParams } from './oauth-params';
import type { OAuthRequest } from './oauth-request';

export const FORM_BODY_LIMIT = '16kb';
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Reads the body of a POST to an OAuth endpoint and parses it strictly. RFC 6749 §3.2 says the
 * token endpoint takes `application/x-www-form-urlencoded`; the same holds for RFC 7009 and 7662.
 *
 * A guard bound to the OAuth controllers (`@OAuthController()`), not a middleware on a path
 * prefix: whatever spelling of a path reaches one of these handlers has had its body read here,
 * with this size limit, and nothing else has (issue 10 item 3).
 */
@Injectable()
export class OAuthFormGuard implements CanActivate {
  private readonly readRaw = express.raw({ type: () => true, limit: FORM_BODY_LIMIT });

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<OAuthRequest>();
    if (req.method !== 'POST' || req.oauthParams !== undefined) return true;
    assertFormContentType(req.headers['content-type']);
    req.oauthParams = OAuthParams.parse(await this.readBody(req, http.getResponse<Response>()));
    return true;
  }

  private readBody(req: Request, res: Response): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.readRaw(req, res, (error?: unknown) => {
        if (error) return reject(toOAuthError(error));
        resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      });
    });
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

function toOAuthError(error: unknown): OAuthError {
  const status = (error as { status?: number }).status;
  if (status === 413) return new OAuthError('invalid_request', 'Request body is too large', 413);
  return OAuthError.invalidRequest('The request body could not be read');
}
