import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CorsErrorsGuard } from './cors-errors.guard';
import { CorsPreflightController } from './cors-preflight.controller';

/**
 * CORS preflights of the token and revocation endpoints, and the CORS headers of their errors raised
 * before client authentication (CorsErrorsGuard); the per-client check is in ClientAuthGuard.
 */
@Module({ controllers: [CorsPreflightController], providers: [{ provide: APP_GUARD, useClass: CorsErrorsGuard }] })
export class CorsModule {}
