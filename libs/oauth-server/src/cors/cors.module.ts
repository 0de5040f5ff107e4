import { Module } from '@nestjs/common';
import { CorsPreflightController } from './cors-preflight.controller';

/**
 * CORS preflights of the token and revocation endpoints, and the CORS headers of their errors raised
 * before client authentication (CorsErrorsGuard, bound by `@OAuthController()`); the per-client
 * check is in ClientAuthGuard.
 */
@Module({ controllers: [CorsPreflightController] })
export class CorsModule {}
