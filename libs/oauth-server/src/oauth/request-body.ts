import { SetMetadata } from '@nestjs/common';
import express from 'express';
import type { Request, Response } from 'express';
import { OAuthError } from './oauth-error';

/** Metadata key: which body a controller's routes take (`form` for /oauth, `json` for /admin). */
export const REQUEST_BODY = 'oauth:requestBody';
export type RequestBodyKind = 'form' | 'json';
export const FORM_BODY = SetMetadata(REQUEST_BODY, 'form' satisfies RequestBodyKind);
export const JSON_BODY = SetMetadata(REQUEST_BODY, 'json' satisfies RequestBodyKind);

/** The one size limit of the bodies the OAuth server reads (forms and admin JSON alike). */
export const BODY_LIMIT = '16kb';

type Captured = { body: Buffer } | { error: unknown };
const captured = new WeakMap<Request, Captured>();
const readRaw = express.raw({ type: () => true, limit: BODY_LIMIT });

/**
 * Reads the raw bytes of a request to one of the OAuth server's routes, before any body parser of
 * the host application can consume them (see OAuthFrontRoutes); a read error is kept, not sent,
 * so the route's guards still decide in their order (the per-IP limit or the admin key first).
 */
export function captureBody(req: Request, res: Response, next: () => void): void {
  readRaw(req, res, (error?: unknown) => {
    captured.set(req, error ? { error } : { body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) });
    // Not a parsed body: the route's guard parses the bytes strictly (and sets req.body for JSON).
    req.body = undefined;
    next();
  });
}

/**
 * The raw body of a request to an OAuth server route: the captured bytes, or read now (an
 * application without the capture, e.g. one created with `bodyParser: false` on another adapter).
 * A body some other parser consumed first is refused rather than guessed at from its result.
 */
export async function rawBody(req: Request, res: Response): Promise<Buffer> {
  let result = captured.get(req);
  if (result === undefined) {
    if (req.readableEnded && hasBody(req)) {
      throw OAuthError.invalidRequest('The request body could not be read', 'the body was consumed by another body parser before the OAuth server read it');
    }
    await new Promise<void>((resolve) => captureBody(req, res, resolve));
    result = captured.get(req)!;
  }
  if ('error' in result) throw readError(result.error);
  return result.body;
}

/** RFC 9112 §6.3: without Transfer-Encoding or a non-zero Content-Length a request has no body. */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

function readError(error: unknown): OAuthError {
  const status = (error as { status?: number }).status;
  if (status === 413) return new OAuthError('invalid_request', 'Request body is too large', 413);
  return OAuthError.invalidRequest('The request body could not be read');
}
