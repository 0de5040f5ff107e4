import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { OAuthExceptionFilter } from './oauth-exception.filter';

/**
 * Shared by every OAuth endpoint: §5.2 error bodies. Form parsing and rate limits are bound to the
 * OAuth controllers themselves (`@OAuthController()`), not to a path prefix.
 */
@Global()
@Module({
  providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
})
export class OAuthModule {}
