import { Module } from '@nestjs/common';
import { CorsPreflightController } from './cors-preflight.controller';

/** CORS preflights of the token and revocation endpoints; the per-client check is in ClientAuthGuard. */
@Module({ controllers: [CorsPreflightController] })
export class CorsModule {}
