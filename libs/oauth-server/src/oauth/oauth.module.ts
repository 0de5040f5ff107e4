import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OAuthExceptionFilter } from './oauth-exception.filter';
import { OAuthRoutePaths } from './oauth-route-paths.service';
import { OAuthFrontRoutes } from './oauth-front-routes.service';

/**
 * Shared by every OAuth endpoint: §5.2 error bodies. The filter, form parsing and rate limits are
 * bound to the library's controllers themselves (`@OAuthController()`, `@AdminController()`,
 * `@OAuthRoutes()`), never global, so a host application's own routes, filters, pipes and guards
 * are left alone (issue 14); the standalone service makes the filter global in its app.setup.ts.
 * Where those routes are served (`OAuthRoutePaths`) and what must run ahead of a host's parsers
 * (`OAuthFrontRoutes`) live here too.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [OAuthExceptionFilter, OAuthRoutePaths, OAuthFrontRoutes],
  exports: [OAuthExceptionFilter, OAuthRoutePaths],
})
export class OAuthModule {}
