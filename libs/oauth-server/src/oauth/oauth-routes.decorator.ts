import { applyDecorators, SetMetadata, UseFilters, UseInterceptors } from '@nestjs/common';
import { SecurityHeadersInterceptor } from '../common/security-headers.interceptor';
import { RequestSignalInterceptor } from '../database/request-signal.interceptor';
import { OAuthExceptionFilter } from './oauth-exception.filter';

/** Metadata key: the controller belongs to the OAuth server (see OAuthRoutePaths). */
export const OAUTH_ROUTES = 'oauth:routes';

/**
 * What every controller of the OAuth server carries, bound to its routes rather than to the
 * application (issue 14): RFC 6749 §5.2 error bodies whatever a host's global filter does, the
 * security headers, and database work refused before COMMIT once the client has gone. `@OAuthController()` and
 * `@AdminController()` include it; the public documents (metadata, JWKS) use it directly.
 */
export function OAuthRoutes(): ClassDecorator {
  return applyDecorators(SetMetadata(OAUTH_ROUTES, true), UseFilters(OAuthExceptionFilter), UseInterceptors(SecurityHeadersInterceptor, RequestSignalInterceptor));
}
