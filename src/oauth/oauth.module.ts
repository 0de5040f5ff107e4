import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { OAuthExceptionFilter } from './oauth-exception.filter';
import { OAuthFormMiddleware } from './oauth-form.middleware';

/** Shared by every OAuth endpoint: strict form parsing under /oauth and §5.2 error bodies. */
@Global()
@Module({
  providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
})
export class OAuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(OAuthFormMiddleware).forRoutes({ path: 'oauth/*path', method: RequestMethod.POST });
  }
}
