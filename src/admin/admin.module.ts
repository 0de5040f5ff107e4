import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthorizeModule } from '../authorize/authorize.module';
import { TokenModule } from '../token/token.module';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { AdminJsonMiddleware } from './admin-json.middleware';
import { LoginRequestsController } from './login-requests.controller';
import { SigningKeysController } from './signing-keys.controller';
import { TokenFamiliesController } from './token-families.controller';

/**
 * The admin API (/admin), for trusted back ends such as the login application. Every controller
 * here is declared with `@AdminController(path)`, which puts it behind `AdminApiKeyGuard`.
 */
@Module({
  imports: [AuthorizeModule, TokenModule],
  controllers: [LoginRequestsController, TokenFamiliesController, SigningKeysController],
  providers: [AdminApiKeyGuard, AdminJsonMiddleware],
  exports: [AdminApiKeyGuard],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminJsonMiddleware).forRoutes({ path: 'admin/*path', method: RequestMethod.ALL });
  }
}
