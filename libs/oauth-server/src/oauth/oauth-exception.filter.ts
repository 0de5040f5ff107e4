import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { SECURITY_HEADERS } from '../common/security-headers';
import { loggablePath } from '../logging/loggable-path';
import { unavailabilityReason } from '../database/database-unavailable';
import { OAuthError } from './oauth-error';
import { setNoStore } from './no-store';

/** Short: an outage of a few seconds (a failover, a restart) should cost a client about that much. */
const RETRY_AFTER_SECONDS = 2;
const ROUTE_NOT_FOUND = /^Cannot [A-Z]+ /;

/**
 * Maps every error of an HTTP request to an RFC 6749 §5.2 body. Known OAuth errors keep their code
 * and status; framework HTTP errors (404, 413, ...) keep their status with an OAuth-shaped body;
 * the database being unavailable (outage, timeout, lock, full disk, read-only file: see
 * database-unavailable.ts) is a 503 `temporarily_unavailable` with Retry-After, logged once per
 * episode by DatabaseService, not here; anything else is a 500 `server_error` with a correlation id
 * that is also logged.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuth');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const error = this.toOAuthError(exception, req);
    if (res.headersSent) return;
    // Also when the error came before the OAuth server's interceptors (a guard, a host's global guard).
    res.set(SECURITY_HEADERS);
    setNoStore(res);
    if (error.status === 401 && error.code === 'invalid_client') {
      // RFC 6749 §5.2: a 401 MUST carry WWW-Authenticate naming the scheme the client may use.
      res.setHeader('WWW-Authenticate', 'Basic realm="oauth", charset="UTF-8"');
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
    // RFC 9110 §10.2.3 / §15.6.4: how long the client should wait before retrying the same request.
    if (error.status === 503 && error.retryAfter === undefined) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(error.status).json(error.toJSON());
  }

  private toOAuthError(exception: unknown, req: Request): OAuthError {
    if (exception instanceof OAuthError) {
      // A handler's server_error is a bug to look at; other codes are the caller's, at debug level.
      if (exception.status === 500) this.logger.error(`${req.method} ${loggablePath(req.path)} ${exception.code}: ${exception.debug ?? exception.description}`);
      else if (exception.debug) this.logger.debug(`${req.method} ${loggablePath(req.path)} ${exception.code}: ${exception.debug}`);
      return exception;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      // The router's "Cannot POST /<path>" would echo the requested path, attacker text, back.
      const description = ROUTE_NOT_FOUND.test(exception.message) ? 'No such endpoint' : exception.message;
      return new OAuthError(errorCodeFor(exception.getStatus()), description, exception.getStatus());
    }
    const reason = unavailabilityReason(exception);
    if (reason !== undefined) return OAuthError.temporarilyUnavailable(reason);
    const correlationId = randomUUID();
    const message = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    this.logger.error(`server_error ${correlationId} on ${req.method} ${loggablePath(req.path)}: ${message}`);
    return new OAuthError('server_error', `Unexpected error, correlation id ${correlationId}`, 500);
  }
}

function errorCodeFor(status: number): string {
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'too_many_requests';
  return 'invalid_request';
}
