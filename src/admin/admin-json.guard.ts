import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import express from 'express';
import type { Request, Response } from 'express';
import { OAuthError } from 'nest-oauth-server';

export const ADMIN_BODY_LIMIT = '16kb';

/**
 * JSON bodies for /admin (the app runs with `bodyParser: false`). Bound to the admin controllers by
 * `@AdminController()`, after `AdminApiKeyGuard`: only requests carrying the admin key are read at
 * all, and no spelling of a path reaches an admin handler without this parser and its size limit
 * (issue 10 item 3: no path-prefix decisions). Bad bodies are 4xx JSON errors. A request without
 * a body (no Transfer-Encoding, Content-Length absent or 0) is read as `{}`, whatever its
 * Content-Type: the actions whose body is optional (disable, enable, rotate-secret, rotate a
 * signing key) work with a plain `curl -X POST`; a route that needs members still says which.
 */
@Injectable()
export class AdminJsonGuard implements CanActivate {
  private readonly parse = express.json({ limit: ADMIN_BODY_LIMIT, strict: true, type: () => true });

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!['POST', 'PUT', 'PATCH'].includes(req.method) || req.body !== undefined) return true;
    if (!hasBody(req)) {
      req.body = {};
      return true;
    }
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') throw new OAuthError('invalid_request', 'Content-Type must be application/json', 415);
    await new Promise<void>((resolve, reject) => {
      this.parse(req, http.getResponse<Response>(), (error?: unknown) => (error ? reject(toAdminError(error)) : resolve()));
    });
    return true;
  }
}

/** RFC 9112 §6.3: without Transfer-Encoding or a non-zero Content-Length a request has no body. */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

function toAdminError(error: unknown): OAuthError {
  const status = (error as { status?: number }).status;
  if (status === 413) return new OAuthError('invalid_request', 'Request body is too large', 413);
  if ((error as { type?: string }).type === 'entity.parse.failed') return OAuthError.invalidRequest('The body is not valid JSON');
  return OAuthError.invalidRequest('The request body could not be read');
}
