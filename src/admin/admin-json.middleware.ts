import { Injectable, NestMiddleware } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { OAuthError } from '../oauth/oauth-error';
import { AdminApiKeyGuard } from './admin-api-key.guard';

export const ADMIN_BODY_LIMIT = '16kb';

/**
 * JSON bodies for /admin (the app runs with `bodyParser: false`). Only requests carrying the admin
 * key are read at all; the guard then rejects the others. Bad bodies are 4xx JSON errors.
 */
@Injectable()
export class AdminJsonMiddleware implements NestMiddleware {
  private readonly parse = express.json({ limit: ADMIN_BODY_LIMIT, strict: true, type: () => true });

  constructor(private readonly guard: AdminApiKeyGuard) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !this.guard.matches(req.headers.authorization)) return next();
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') throw new OAuthError('invalid_request', 'Content-Type must be application/json', 415);
    await new Promise<void>((resolve, reject) => {
      this.parse(req, res, (error?: unknown) => (error ? reject(toAdminError(error)) : resolve()));
    });
    next();
  }
}

function toAdminError(error: unknown): OAuthError {
  const status = (error as { status?: number }).status;
  if (status === 413) return new OAuthError('invalid_request', 'Request body is too large', 413);
  if ((error as { type?: string }).type === 'entity.parse.failed') return OAuthError.invalidRequest('The body is not valid JSON');
  return OAuthError.invalidRequest('The request body could not be read');
}
