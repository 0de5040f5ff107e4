import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { SECURITY_HEADERS } from './security-headers';

/**
 * The security headers on the OAuth server's own answers, bound to its routes (issue 14): inside a
 * host they hold for its JSON and its authorization error page (clickjacking, RFC 6749 §10.13)
 * without being imposed on the host's routes. Errors get them from OAuthExceptionFilter.
 */
@Injectable()
export class SecurityHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') context.switchToHttp().getResponse<Response>().set(SECURITY_HEADERS);
    return next.handle();
  }
}
